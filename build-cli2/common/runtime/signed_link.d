build-cli2/common/runtime/signed_link.o: common/runtime/signed_link.c \
 common/base/i18n.h common/runtime/secret.h common/runtime/signed_link.h
common/base/i18n.h:
common/runtime/secret.h:
common/runtime/signed_link.h:
