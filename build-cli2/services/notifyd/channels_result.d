build-cli2/services/notifyd/channels_result.o: \
 services/notifyd/channels_result.c common/base/log.h \
 services/notifyd/channels_private.h services/notifyd/channels.h
common/base/log.h:
services/notifyd/channels_private.h:
services/notifyd/channels.h:
