"""Options: each default declared once, in `Settings`, and the same from every reader."""

from __future__ import annotations

from content_map.config import ContentMapConfig, validate_options
from content_map.settings import DEFAULTS, Settings, from_options


def test_every_reader_of_the_options_has_the_same_defaults():
    assert Settings() == DEFAULTS
    assert from_options({}) == DEFAULTS
    assert validate_options({}, "mkdocs.yml") == DEFAULTS


def test_the_typed_config_takes_its_defaults_from_settings():
    config = ContentMapConfig(config_file_path="mkdocs.yml")
    config.load_dict({})
    failed, _ = config.validate()
    assert not failed
    for name in ("personas_dir", "journeys_dir", "map_path", "nav_title", "fail_on",
                 "serve_fail", "badges", "export"):
        assert config[name] == getattr(DEFAULTS, name), name
    assert config["coverage"]["count_status"] == list(DEFAULTS.count_status)
    assert config["coverage"]["min_per_cell"] == DEFAULTS.min_per_cell
