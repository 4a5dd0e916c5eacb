"""Config loading: defaults work, every bad value is refused with the key, the value and what is allowed."""

import re
from pathlib import Path

import pytest

from firmware_py.config import ConfigError, Settings, load_settings, reference_rows
from firmware_py.events import EventBus
from firmware_py.live_config import LiveSettings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_are_valid_and_loopback_needs_no_token() -> None:
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.server.host == "127.0.0.1" and settings.server.token == ""


def test_file_values_and_overrides_apply(tmp_path: Path) -> None:
    path = write(tmp_path, '[vad]\nstop_secs = 0.4\n[server]\nport = 9000\n')
    settings = load_settings(path, {"server": {"port": 9100}})
    assert settings.vad.stop_secs == 0.4
    assert settings.server.port == 9100


@pytest.mark.parametrize("text, fragments", [
    ("[vad]\nstop_secs = 'soon'\n", ["vad.stop_secs", "'soon'", "number"]),
    ("[vad]\nstop_sec = 0.2\n", ["vad.stop_sec", "stop_secs"]),
    ("[nope]\nx = 1\n", ["[nope]", "server"]),
    ("[tts]\nengine = 'espeak'\n", ["tts.engine", "'espeak'", "'hibari'"]),
    ("[server]\nport = 70000\n", ["server.port", "70000", "at most 65535"]),
    ("[server]\nport = true\n", ["server.port", "whole number"]),
    ("[audio]\nenabled = 'yes'\n", ["audio.enabled", "true or false"]),
    ("[server]\nhost = '0.0.0.0'\n", ["server.token", "0.0.0.0"]),
    ("[llm]\nbackend = 'remote'\n", ["llm.remote_url"]),
    ("[[tools]]\nname = 'lights'\n", ["tools[0].description"]),
    ("[[tools]]\nname = 'x y'\ndescription = 'd'\ntopic = 't'\n", ["tools[0].name"]),
    ("[vad\n", ["not valid TOML"]),
])
def test_bad_values_name_the_key(tmp_path: Path, text: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml")


def test_beyond_loopback_with_token_is_accepted(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[server]\nhost = '0.0.0.0'\ntoken = 's3cret'\n"))
    assert settings.server.host == "0.0.0.0"


def test_every_setting_is_documented() -> None:
    rows = reference_rows()
    assert len(rows) > 50
    assert all(doc for _, _, doc in rows)


def test_example_config_matches_the_schema(tmp_path: Path) -> None:
    """Uncommenting every setting of the shipped example must give exactly the defaults."""
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    assert load_settings(example) == Settings()
    lines = [line[2:] if re.match(r"^# \w+ = ", line) else line for line in example.read_text().splitlines()]
    uncommented = write(tmp_path, "\n".join(lines))
    assert load_settings(uncommented) == Settings()


def test_live_update_validates_and_publishes() -> None:
    bus = EventBus()
    seen = []
    bus.subscribe(seen.append)
    live = LiveSettings(Settings(), bus)
    live.update("vad", {"stop_secs": 0.5})
    assert live.current.vad.stop_secs == 0.5
    assert seen and seen[-1].section == "vad"
    with pytest.raises(ConfigError, match="vad.stop_secs"):
        live.update("vad", {"stop_secs": -1})
    with pytest.raises(ConfigError, match="cannot change while running"):
        live.update("server", {"port": 1})
    assert live.current.vad.stop_secs == 0.5


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [key for key, _, _ in reference_rows() if f"`{key}`" not in readme]
    assert missing == []


def test_the_small_profile_halves_the_llm_context_unless_the_file_sets_it(tmp_path: Path) -> None:
    small = load_settings(write(tmp_path, '[models]\nprofile = "small"\n'))
    assert (small.llm.n_ctx, small.llm.history_tokens) == (1024, 640)
    assert load_settings(None).llm.n_ctx == 2048
    own = load_settings(write(tmp_path, '[models]\nprofile = "small"\n[llm]\nn_ctx = 4096\n'))
    assert (own.llm.n_ctx, own.llm.history_tokens) == (4096, 640)
    with pytest.raises(ConfigError, match="llm.n_ctx"):
        load_settings(write(tmp_path, '[models]\nprofile = "small"\n[llm]\nn_ctx = 1\n'))


def test_every_action_offered_needs_the_full_context(tmp_path: Path) -> None:
    """Their ~1,350-token prefix does not fit the small profile's context: refused at load, not at warm-up."""
    with pytest.raises(ConfigError, match="llm.n_ctx must be at least 2048"):
        load_settings(write(tmp_path, '[models]\nprofile = "small"\n[intents]\nllm_actions = true\n'))
    remote = '[models]\nprofile = "small"\n[intents]\nllm_actions = true\n[llm]\nbackend = "remote"\n' \
             'remote_url = "http://192.0.2.10:8080/v1"\n'
    assert load_settings(write(tmp_path, remote)).intents.llm_actions
