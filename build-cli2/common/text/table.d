build-cli2/common/text/table.o: common/text/table.c common/text/table.h \
 common/text/utf8.h
common/text/table.h:
common/text/utf8.h:
