"""`kiosk --simulate --devices-only` drives every emulated device through its real driver
and reports each event, personal data masked; bad usage is one line."""

import subprocess
import sys


def test_simulation_runs_every_device_and_masks_the_card():
    done = subprocess.run([sys.executable, "-m", "kiosk.main", "--simulate", "--devices-only"], capture_output=True,
                          text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for step in ("1. all devices online", "2. ID card read: 李*明 110105********1239", "3. ID card lifted",
                 "4. serial scanner: ZZ-EQ-0001-20261122-000042", "5. camera scanner: 回执 ZZ-EQ-0001",
                 "6. document camera: page found", "7. face check: 人脸合格", "8. receipt printed",
                 "9. paper out: print refused", "10. scanner unplugged and back"):
        assert step in out
    assert "联系电话：0371-68665010" in out  # the identity card at the receipt's foot
    assert "李小明" not in out and "110105199003071239" not in out
    assert done.stderr == ""


def test_a_bad_config_or_usage_is_one_line():
    for args in (["--config", "/nonexistent.toml"], ["--devices-only"], ["--config", "/x", "--devices-only"]):
        done = subprocess.run([sys.executable, "-m", "kiosk.main", *args], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2, args
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
