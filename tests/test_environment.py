"""Where a result was computed (hilbertlib.environment, chapter 4)."""

from __future__ import annotations

from hilbertlib import __version__
from hilbertlib.environment import SAME_DEVICE_KEYS, environment, machine, same_device


def test_machine_is_fresh_per_call_and_environment_extends_it():
    a = machine()
    a["versions"]["keras"] = "mutated"
    b = machine()
    assert "keras" not in b["versions"], "machine() must not share its dicts between calls"
    assert b["versions"]["hilbertlib"] == __version__ and b["cpu_count"] >= 1
    env = environment()
    assert {k: env[k] for k in b if k != "versions"} == {k: v for k, v in b.items() if k != "versions"}
    assert set(b["versions"]) < set(env["versions"])


def test_same_device_compares_the_recorded_fields_only():
    env = environment()
    assert same_device({**env, "platform": "elsewhere", "from_epoch": 3}, env) is True
    assert same_device({**env, "device": "gpu:elsewhere"}, env) is False
    assert same_device({**env, "xla_flags": "--other"}, env) is False
    assert same_device(None, env) is None
    old = {k: v for k, v in env.items() if k != SAME_DEVICE_KEYS[-1]}  # a segment older than the field
    assert same_device(old, env) is None
