build-cli2/common/runtime/secret.o: common/runtime/secret.c \
 common/runtime/secret.h common/base/i18n.h
common/runtime/secret.h:
common/base/i18n.h:
