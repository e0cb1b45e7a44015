build-cli2/common/text/utf8.o: common/text/utf8.c common/text/utf8.h
common/text/utf8.h:
