build-report/common/runtime/paths.o: common/runtime/paths.c \
 common/runtime/paths.h
common/runtime/paths.h:
