build-cli2/common/runtime/connections.o: common/runtime/connections.c \
 common/runtime/connections.h common/base/log.h
common/runtime/connections.h:
common/base/log.h:
