build-cli2/common/runtime/proto_clean.o: common/runtime/proto_clean.c \
 common/runtime/proto_clean.h common/text/utf8.h
common/runtime/proto_clean.h:
common/text/utf8.h:
