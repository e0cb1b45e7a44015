build-cli2/common/runtime/proto_json.o: common/runtime/proto_json.c \
 common/runtime/proto_json.h common/base/log.h
common/runtime/proto_json.h:
common/base/log.h:
