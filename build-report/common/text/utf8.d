build-report/common/text/utf8.o: common/text/utf8.c common/text/utf8.h
common/text/utf8.h:
