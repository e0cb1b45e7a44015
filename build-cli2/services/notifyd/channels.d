build-cli2/services/notifyd/channels.o: services/notifyd/channels.c \
 services/notifyd/channels_private.h services/notifyd/channels.h \
 common/base/i18n.h common/base/log.h common/domain/alert_text.h
services/notifyd/channels_private.h:
services/notifyd/channels.h:
common/base/i18n.h:
common/base/log.h:
common/domain/alert_text.h:
