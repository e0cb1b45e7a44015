# thuky — build, test, run. See README.md.
#
#   make            build everything into build/
#   make deps       install the Debian packages (as root; else print the command)
#   make test       unit + system tests, then again under ASan/UBSan
#   make bench      benchmarks (prints a table)
#   make run        the service set on embedded defaults, with demo data

SAN ?=
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT = -O1
else
BUILD ?= build
SANFLAGS =
OPT = -O2
endif

CC ?= cc
PKGS = libzmq lmdb libprotobuf-c inih jansson libsystemd libcrypto zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP $(SANFLAGS)
CPPFLAGS += -Icommon -I$(BUILD)/gen $(PKG_CFLAGS)
LDFLAGS += $(SANFLAGS)
# Every program links these; the fuzzers (tests/fuzz/fuzz.mk) too.
# libunistring (NFC normalisation) has no .pc file in Debian 12.
SYS_LIBS := $(PKG_LIBS) -lunistring -lm
LDLIBS += $(SYS_LIBS)
# What only one program needs, named once: its build here and its fuzzer
# (tests/fuzz/fuzz.mk) use the same lists.
ICAL_CFLAGS := $(shell pkg-config --cflags libical 2>/dev/null)
ICAL_LIBS := $(shell pkg-config --libs libical 2>/dev/null)
CURL_CFLAGS := $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null) -lpthread
MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
XLSX_CFLAGS := $(shell pkg-config --cflags xlsxwriter 2>/dev/null)
XLSX_LIBS := $(shell pkg-config --libs xlsxwriter 2>/dev/null)

DEB_PACKAGES = build-essential pkg-config clang libclang-rt-14-dev libzmq3-dev liblmdb-dev lmdb-utils \
	libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libinih-dev libjansson-dev \
	libcmocka-dev libsystemd-dev libical-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev python3 python3-zmq python3-protobuf python3-pytest python3-pytest-timeout \
	python3-icalendar python3-ephem python3-aiosmtpd chromium chromium-driver python3-selenium poppler-utils \
	python3-openpyxl zlib1g-dev \
	groff-base man-db valgrind gettext libunistring-dev libxlsxwriter-dev

PROTOS := $(wildcard proto/thuky/*.proto)
GEN_C := $(PROTOS:proto/%.proto=$(BUILD)/gen/%.pb-c.c)
GEN_H := $(GEN_C:.c=.h)
GEN_PY := $(PROTOS:proto/thuky/%.proto=$(BUILD)/py/thuky/%_pb2.py)

# libthuky, one archive per layer of common/ (ARCHITECTURE.md). Each layer
# uses only those after it in LAYERS, which is also the link order.
LAYERS := service runtime domain calendar text base
layer_obj = $(patsubst %.c,$(BUILD)/%.o,$(wildcard common/$(1)/*.c))
LIB := $(LAYERS:%=$(BUILD)/libthuky-%.a) $(BUILD)/libthuky-proto.a

TASKD_SRC := $(wildcard services/taskd/*.c)
SESSIOND_SRC := $(wildcard services/sessiond/*.c)
NOTIFYD_SRC := $(wildcard services/notifyd/*.c)
CLI_SRC := $(wildcard services/cli/*.c)
WEBD_SRC := $(wildcard services/webd/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)

BINS := $(BUILD)/thuky-taskd $(BUILD)/thuky-sessiond $(BUILD)/thuky-notifyd $(BUILD)/thuky-webd \
	$(BUILD)/thuky

# Translations (GNU gettext). Every string a person reads is marked in
# the source (base/i18n.h); `make po` extracts them into po/thuky.pot and
# merges po/vi.po with it; the catalog is built beside the binaries, where
# they find it (build/locale), and installed under /usr/share/locale.
PO_SRC = $(sort $(wildcard common/*/*.c services/*/*.c))
LOCALE_MO := $(BUILD)/locale/vi/LC_MESSAGES/thuky.mo
XGETTEXT_FLAGS = --from-code=UTF-8 --language=C --no-wrap --sort-by-file \
	--add-comments=TRANSLATORS: --package-name=thuky --msgid-bugs-address=thuky@localhost \
	--keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=W_:2 \
	--keyword=i18n_text:2 --flag=i18n_text:2:c-format \
	--keyword=cli_error:2 --flag=cli_error:2:c-format \
	--keyword=server_fail:3 --flag=server_fail:3:c-format \
	--keyword=s_reject:4 --flag=s_reject:4:c-format \
	--keyword=log_warn --keyword=log_warnx --keyword=log_info --keyword=log_error \
	--keyword=fatal --keyword=fatalx \
	--flag=log_warn:1:c-format --flag=log_warnx:1:c-format --flag=log_info:1:c-format \
	--flag=log_error:1:c-format --flag=fatal:1:c-format --flag=fatalx:1:c-format

$(LOCALE_MO): po/vi.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# A format string with no words ("%s: %s", "%zu") needs no translation: left
# out (a letter counts only when it does not end a conversion).
define extract_pot
	xgettext $(XGETTEXT_FLAGS) -o $(1).all $(PO_SRC)
	sed -i 's/charset=CHARSET/charset=UTF-8/' $(1).all
	msggrep --no-wrap --msgid --extended-regexp -e '(^|[^%[:alpha:][:digit:].*#+-])[[:alpha:]]' -o $(1) $(1).all
	rm -f $(1).all
endef
po:
	$(call extract_pot,po/thuky.pot)
	msgmerge --quiet --update --backup=none --no-wrap --no-fuzzy-matching po/vi.po po/thuky.pot

# What the tests check (test_i18n.py): the sources' strings are those of
# po/thuky.pot, and po/vi.po translates every one of them, cleanly.
po-check:
	@mkdir -p $(BUILD)/po
	@$(call extract_pot,$(BUILD)/po/thuky.pot)
	msgcmp --use-untranslated po/thuky.pot $(BUILD)/po/thuky.pot
	msgcmp --use-untranslated $(BUILD)/po/thuky.pot po/thuky.pot
	msgcmp po/vi.po $(BUILD)/po/thuky.pot
	msgfmt --check --statistics -o /dev/null po/vi.po

# Keep generated code and objects: make would delete them as intermediates.
.SECONDARY:

.PHONY: all po po-check deps test test-unit test-valgrind test-valgrind-ci bench run clean
all: $(BINS) $(UNIT_BIN) $(TOOL_BIN) $(GEN_PY) $(LOCALE_MO)

deps:
	@if [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEB_PACKAGES) >/dev/null || \
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEB_PACKAGES) >/dev/null; }; \
	else \
		echo "run as root: apt-get install -y $(DEB_PACKAGES)"; \
	fi

# Generated protobuf code is built, never committed.
$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -Iproto $<

$(BUILD)/py/thuky/%_pb2.py: proto/thuky/%.proto
	@mkdir -p $(BUILD)/py
	protoc --python_out=$(BUILD)/py -Iproto $<

$(BUILD)/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c | $(GEN_H)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libthuky-service.a: $(call layer_obj,service)
$(BUILD)/libthuky-runtime.a: $(call layer_obj,runtime)
$(BUILD)/libthuky-domain.a: $(call layer_obj,domain)
$(BUILD)/libthuky-calendar.a: $(call layer_obj,calendar)
$(BUILD)/libthuky-text.a: $(call layer_obj,text)
$(BUILD)/libthuky-base.a: $(call layer_obj,base)
$(BUILD)/libthuky-proto.a: $(GEN_C:.c=.o)
$(LIB):
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/thuky-taskd: $(TASKD_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Only the session service renders iCalendar.
$(BUILD)/services/sessiond/%.o: CPPFLAGS += $(ICAL_CFLAGS)
$(BUILD)/thuky-sessiond: $(SESSIOND_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(ICAL_LIBS) -o $@

# Only the notification service speaks SMTP and HTTP (libcurl). libcrypto
# (in PKGS) signs webhooks and alert links.
$(BUILD)/services/notifyd/%.o: CPPFLAGS += $(CURL_CFLAGS)
$(BUILD)/thuky-notifyd: $(NOTIFYD_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(CURL_LIBS) -o $@

# Only the web face speaks HTTP (libmicrohttpd).
$(BUILD)/services/webd/%.o: CPPFLAGS += $(MHD_CFLAGS)
$(BUILD)/thuky-webd: $(WEBD_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(MHD_LIBS) -o $@

# Only the CLI writes XLSX (libxlsxwriter).
$(BUILD)/services/cli/%.o: CPPFLAGS += $(XLSX_CFLAGS)
$(BUILD)/thuky: $(CLI_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(XLSX_LIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The whole suite, then again under AddressSanitizer + UBSan.
test: all
	$(MAKE) --no-print-directory SAN=1 all
	/usr/bin/python3 tests/run.py build build-san

# The whole suite once more under valgrind memcheck (slow: tens of minutes).
test-valgrind: all
	/usr/bin/python3 tests/run.py --valgrind build

# What CI runs under valgrind: the unit tests and the system tests that drive
# the daemons hardest (hostile input, the task and alert paths), in minutes.
VALGRIND_CI_TESTS = tests/system/test_bad_input.py tests/system/test_tasks.py tests/system/test_alerts.py
test-valgrind-ci: all
	/usr/bin/python3 tests/run.py --valgrind build -- $(VALGRIND_CI_TESTS)

test-unit: all
	/usr/bin/python3 tests/run.py --unit-only build

bench: all
	/usr/bin/python3 tests/bench/bench.py build

run: all
	deploy/run-local.sh $(BUILD)

clean:
	rm -rf build build-san

# make install, make uninstall, make deb
-include deploy/install.mk
# make fuzz, make fuzz-regress
-include tests/fuzz/fuzz.mk
# make test-faults
-include tests/faults/faults.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
