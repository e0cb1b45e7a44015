build-report/common/runtime/clock.o: common/runtime/clock.c \
 common/runtime/clock.h
common/runtime/clock.h:
