build-report/services/notifyd/webhook_sign.o: \
 services/notifyd/webhook_sign.c services/notifyd/webhook_sign.h \
 common/base/log.h
services/notifyd/webhook_sign.h:
common/base/log.h:
