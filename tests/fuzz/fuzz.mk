# libFuzzer targets (tests/fuzz/README.md), included from the Makefile:
#
#   make fuzz-build                 every target into build-fuzz/ (clang)
#   make fuzz [FUZZ_SECONDS=30]     build, then fuzz each target for that long
#   make fuzz-regress               run each target once over its corpus and
#                                   tests/fuzz/regressions/<target>/ (no fuzzing)
#   make fuzz-clean
#
# Product code and generated protobuf code are compiled again with clang and
# -fsanitize=fuzzer-no-link,address,undefined into build-fuzz/.
ifndef THUKY_FUZZ_MK
THUKY_FUZZ_MK := 1

FUZZ_BUILD := build-fuzz
FUZZ_CC := clang
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := fuzz_taskd_request fuzz_sessiond_request fuzz_notifyd_request fuzz_event_apply \
	fuzz_config fuzz_import fuzz_date fuzz_repeat fuzz_calendar


FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# -Werror for the targets; product code only warns (gcc builds it with -Werror),
# so that a warning only clang gives does not stop fuzzing.
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -D_GNU_SOURCE -g -O1 -MMD -MP $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link
FUZZ_CPPFLAGS := -Icommon -I$(FUZZ_BUILD)/gen $(PKG_CFLAGS)
# The Makefile's own list, so a library added there reaches the fuzzers.
FUZZ_LDLIBS := $(SYS_LIBS)

FUZZ_PROTOS := $(wildcard proto/thuky/*.proto)
FUZZ_GEN_C := $(FUZZ_PROTOS:proto/%.proto=$(FUZZ_BUILD)/gen/%.pb-c.c)
FUZZ_GEN_H := $(FUZZ_GEN_C:.c=.h)
FUZZ_LIB := $(FUZZ_BUILD)/libthuky.a
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(wildcard common/*/*.c)) $(FUZZ_GEN_C:.c=.o)

# A service's objects without its main.o.
fuzz_objs = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(filter-out %/main.c,$(wildcard services/$(1)/*.c)))
FUZZ_TASKD := $(call fuzz_objs,taskd)
FUZZ_SESSIOND := $(call fuzz_objs,sessiond)
FUZZ_NOTIFYD := $(call fuzz_objs,notifyd)
FUZZ_CLI := $(call fuzz_objs,cli)

FUZZ_DIR := $(FUZZ_BUILD)/tests/fuzz
FUZZ_UTIL := $(FUZZ_DIR)/fuzz_util.o
FUZZ_SERVICE := $(FUZZ_DIR)/fuzz_service.o $(FUZZ_DIR)/fuzz_fixtures.o $(FUZZ_UTIL)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)

.PHONY: fuzz-build fuzz fuzz-regress fuzz-clean
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	@tests/fuzz/run.sh regress $(FUZZ_BUILD) 0 $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

$(FUZZ_BUILD)/gen/%.pb-c.c $(FUZZ_BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(FUZZ_BUILD)/gen
	protoc-c --c_out=$(FUZZ_BUILD)/gen -Iproto $<

$(FUZZ_BUILD)/gen/%.pb-c.o: $(FUZZ_BUILD)/gen/%.pb-c.c | $(FUZZ_GEN_H)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/%.o: %.c | $(FUZZ_GEN_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/services/sessiond/%.o: FUZZ_CPPFLAGS += $(ICAL_CFLAGS)
$(FUZZ_BUILD)/services/notifyd/%.o: FUZZ_CPPFLAGS += $(CURL_CFLAGS)
$(FUZZ_BUILD)/services/cli/%.o: FUZZ_CPPFLAGS += $(XLSX_CFLAGS)
$(FUZZ_DIR)/%.o: FUZZ_CFLAGS += -Werror
$(FUZZ_DIR)/%.o: FUZZ_CPPFLAGS += -Itests/fuzz -Iservices/taskd -Iservices/sessiond \
	-Iservices/notifyd -Iservices/cli $(CURL_CFLAGS)

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	$(AR) rcs $@ $^

fuzz_link = $(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(1) $(FUZZ_LDLIBS) -o $@

$(FUZZ_BUILD)/fuzz_taskd_request: $(FUZZ_DIR)/fuzz_taskd_request.o $(FUZZ_DIR)/spec_taskd.o \
		$(FUZZ_SERVICE) $(FUZZ_TASKD) $(FUZZ_LIB)
	$(call fuzz_link,$^)

$(FUZZ_BUILD)/fuzz_sessiond_request: $(FUZZ_DIR)/fuzz_sessiond_request.o \
		$(FUZZ_DIR)/spec_sessiond.o $(FUZZ_SERVICE) $(FUZZ_SESSIOND) $(FUZZ_LIB)
	$(call fuzz_link,$^ $(ICAL_LIBS))

$(FUZZ_BUILD)/fuzz_notifyd_request: $(FUZZ_DIR)/fuzz_notifyd_request.o \
		$(FUZZ_DIR)/spec_notifyd.o $(FUZZ_SERVICE) $(FUZZ_NOTIFYD) $(FUZZ_LIB)
	$(call fuzz_link,$^ $(CURL_LIBS))

$(FUZZ_BUILD)/fuzz_event_apply: $(FUZZ_DIR)/fuzz_event_apply.o $(FUZZ_DIR)/spec_taskd.o \
		$(FUZZ_DIR)/spec_notifyd.o $(FUZZ_SERVICE) $(FUZZ_TASKD) $(FUZZ_NOTIFYD) $(FUZZ_LIB)
	$(call fuzz_link,$^ $(CURL_LIBS))

# The CLI without main.o, its daemon client replaced by fuzz_client_stub.o
# (linked before the library, so the library's client.o is never pulled in).
$(FUZZ_BUILD)/fuzz_import: $(FUZZ_DIR)/fuzz_import.o $(FUZZ_DIR)/fuzz_client_stub.o $(FUZZ_UTIL) \
		$(FUZZ_CLI) $(FUZZ_LIB)
	$(call fuzz_link,$^ $(XLSX_LIBS))

$(FUZZ_BUILD)/fuzz_config $(FUZZ_BUILD)/fuzz_date $(FUZZ_BUILD)/fuzz_repeat \
		$(FUZZ_BUILD)/fuzz_calendar: $(FUZZ_BUILD)/%: $(FUZZ_DIR)/%.o $(FUZZ_UTIL) $(FUZZ_LIB)
	$(call fuzz_link,$^)

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

endif
