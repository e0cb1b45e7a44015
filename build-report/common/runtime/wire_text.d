build-report/common/runtime/wire_text.o: common/runtime/wire_text.c \
 common/runtime/wire_text.h common/base/i18n.h common/text/utf8.h
common/runtime/wire_text.h:
common/base/i18n.h:
common/text/utf8.h:
