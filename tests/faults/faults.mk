# make test-faults: the fault suite (tests/faults/README.md): the daemons
# killed, restarted, starved of disk, of map and of reader slots, their
# clocks jumped and their webhook receivers misbehaving. About 2 minutes.
# Included by the Makefile; `make -f Makefile -f tests/faults/faults.mk`
# includes it twice, hence the guard.
ifndef THUKY_FAULTS_MK
THUKY_FAULTS_MK := 1

FAULTS_PYTEST = /usr/bin/python3 -m pytest -q -p no:cacheprovider --import-mode=importlib -rfEsxX

# The power-loss simulation's shim (test_power_loss.py), loaded with
# LD_PRELOAD into the daemons of the plain build only.
POWERCUT_SO := $(BUILD)/tests/libpowercut.so
$(POWERCUT_SO): tests/faults/powercut.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -g -fPIC -shared $< -ldl -o $@

.PHONY: test-faults
test-faults: all $(POWERCUT_SO)
	THUKY_BUILD=$(BUILD) $(FAULTS_PYTEST) tests/faults

endif
