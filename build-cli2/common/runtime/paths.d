build-cli2/common/runtime/paths.o: common/runtime/paths.c \
 common/runtime/paths.h
common/runtime/paths.h:
