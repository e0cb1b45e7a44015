build-cli2/gen/thuky/web.pb-c.o: build-cli2/gen/thuky/web.pb-c.c \
 build-cli2/gen/thuky/web.pb-c.h
build-cli2/gen/thuky/web.pb-c.h:
