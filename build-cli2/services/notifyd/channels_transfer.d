build-cli2/services/notifyd/channels_transfer.o: \
 services/notifyd/channels_transfer.c common/base/log.h \
 common/domain/alert_text.h services/notifyd/channels_private.h \
 services/notifyd/channels.h services/notifyd/webhook_sign.h
common/base/log.h:
common/domain/alert_text.h:
services/notifyd/channels_private.h:
services/notifyd/channels.h:
services/notifyd/webhook_sign.h:
