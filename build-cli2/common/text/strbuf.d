build-cli2/common/text/strbuf.o: common/text/strbuf.c \
 common/text/strbuf.h common/base/log.h
common/text/strbuf.h:
common/base/log.h:
