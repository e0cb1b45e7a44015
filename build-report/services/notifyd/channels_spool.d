build-report/services/notifyd/channels_spool.o: \
 services/notifyd/channels_spool.c common/base/log.h \
 common/runtime/paths.h services/notifyd/channels_private.h \
 services/notifyd/channels.h
common/base/log.h:
common/runtime/paths.h:
services/notifyd/channels_private.h:
services/notifyd/channels.h:
