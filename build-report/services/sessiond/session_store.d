build-report/services/sessiond/session_store.o: \
 services/sessiond/session_store.c services/sessiond/session_store.h \
 common/runtime/store.h build-report/gen/thuky/session.pb-c.h \
 common/domain/sitting.h common/runtime/keys.h
services/sessiond/session_store.h:
common/runtime/store.h:
build-report/gen/thuky/session.pb-c.h:
common/domain/sitting.h:
common/runtime/keys.h:
