# make test-faults: the fault suite (tests/faults/README.md): the daemons
# killed, restarted, starved of disk, of map and of reader slots, their
# clocks jumped and their webhook receivers misbehaving. About 2 minutes.
# Included by the Makefile; `make -f Makefile -f tests/faults/faults.mk`
# includes it twice, hence the guard.
ifndef THUKY_FAULTS_MK
THUKY_FAULTS_MK := 1

FAULTS_PYTEST = /usr/bin/python3 -m pytest -q -p no:cacheprovider --import-mode=importlib -rfEsxX

.PHONY: test-faults
test-faults: all
	THUKY_BUILD=$(BUILD) $(FAULTS_PYTEST) tests/faults

endif
