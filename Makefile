# Two commands on a fresh Debian machine: `make run` and `make test`.
# Both install what is missing (system packages, a virtual environment, the project).

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# libzbar0: pyzbar's decoder · fonts-noto-cjk: Chinese on screen · xvfb, xauth: a screen for
# the UI tests and the tour · libmtdev1, libgl1: Kivy's SDL2 window · libglib2.0-0: OpenCV
# postgresql: the county backend's tests run on it as well as on SQLite (.ci/postgres starts it)
# espeak-ng: the voice prompts (语音播报), rendered offline in Mandarin and English
# systemd: systemd-analyze and systemd-tmpfiles check the units (tests/systemd)
SYSTEM_PACKAGES := libzbar0 fonts-noto-cjk xvfb xauth libmtdev1 libgl1 libglib2.0-0 postgresql espeak-ng systemd
export KIVY_NO_ARGS := 1
export KIVY_NO_CONSOLELOG := 1

.PHONY: help setup system-packages venv test test-fast run clean

help:
	@echo "make run    set up and start the kiosk in simulation"
	@echo "make test   set up and run every test"

setup: system-packages venv

system-packages:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: setup
	$(PY) -m pytest -q -x -m "not slow"

# With a display: the kiosk in a window, every device emulated. Without one (a server, CI):
# the guided tour under Xvfb, one scripted visit through every screen, pictures in $(TOUR_DIR).
TOUR_DIR ?= tour
run: setup
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  $(VENV)/bin/kiosk --simulate --windowed; \
	else \
	  echo "no display here: playing the guided tour under Xvfb (kiosk --simulate --tour $(TOUR_DIR))"; \
	  rm -f "$(TOUR_DIR)"/[0-9][0-9]-*.png "$(TOUR_DIR)"/failed-* "$(TOUR_DIR)"/receipt.bin && \
	  xvfb-run -a -s "-screen 0 1080x1920x24" env SDL_VIDEODRIVER=x11 \
	    $(VENV)/bin/kiosk --simulate --tour "$(TOUR_DIR)" && \
	  echo "the tour's pictures (one per screen) and receipt.bin are in $$(cd "$(TOUR_DIR)" && pwd)/"; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
