# Shell helpers shared by the install scripts. Source it; it defines functions only.
#   say TEXT                      a progress line on stderr
#   run CMD...                    run a command, or only print it when DRY_RUN=1
#   apt_install_missing PKG...    apt-get install the packages not yet installed (as root)
#   install_llama_cpp PY CACHE NATIVE
#                                 llama-cpp-python into the venv of PY from a wheel cache under CACHE,
#                                 building the wheel once (NATIVE=1: -march=native, for the device itself)

LLAMA_VERSION="${LLAMA_VERSION:-0.3.36}"
DRY_RUN="${DRY_RUN:-0}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf '    would run: %s\n' "$*" >&2
  else
    "$@"
  fi
}

apt_install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  run apt-get update -qq
  run apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

llama_flags() {
  # $1: 1 for a native build (on the device), else portable x86-64 flags
  if [ "$1" = 1 ]; then
    echo "-DGGML_NATIVE=ON -DGGML_OPENMP=OFF -DLLAVA_BUILD=OFF"
  else
    echo "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_OPENMP=OFF -DLLAVA_BUILD=OFF"
  fi
}

install_llama_cpp() {
  local py="$1" cache="$2" native="$3" flags key wheel_dir log build started
  if "$py" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$LLAMA_VERSION')" 2>/dev/null; then
    return 0
  fi
  flags="$(llama_flags "$native")"
  # a native wheel is keyed by the CPU too, so it can never be installed on another kind of CPU
  key="$(printf '%s %s %s %s' "$LLAMA_VERSION" "$(uname -m)" "$flags" \
    "$(grep -m1 -iE 'model name|cpu part' /proc/cpuinfo 2>/dev/null)" | md5sum | cut -c1-12)"
  wheel_dir="$cache/llama-cpp-python-$LLAMA_VERSION-$key"
  if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    say "building llama-cpp-python $LLAMA_VERSION for this CPU (once; 5 to 20 minutes on a Pi)"
    run mkdir -p "$wheel_dir"
    if [ "$DRY_RUN" != 1 ]; then
      log="$wheel_dir/build.log"
      CMAKE_ARGS="$flags" "$py" -m pip wheel --no-deps -w "$wheel_dir" "llama-cpp-python==$LLAMA_VERSION" >"$log" 2>&1 &
      build=$!
      started=$SECONDS
      while kill -0 "$build" 2>/dev/null; do
        sleep 20
        printf '    still building llama-cpp-python ... %d s\n' $((SECONDS - started)) >&2
      done
      if ! wait "$build"; then
        tail -20 "$log" >&2
        echo "llama-cpp-python build failed; full log: $log" >&2
        return 1
      fi
    fi
  fi
  say "installing llama-cpp-python from the cached wheel"
  run "$py" -m pip install -q --no-deps "$wheel_dir"/llama_cpp_python-*.whl
  run "$py" -m pip install -q "numpy>=1.20" "typing-extensions>=4.5" "diskcache>=5.6.1" "jinja2>=2.11.3"
}
