# make install, make uninstall, make deb. Included from the Makefile, which
# defines BUILD (the build directory) and BINS (the programs `all` builds).
#
#   make install                          programs under /usr/local, config in /etc/thuky
#   make install DESTDIR=/tmp/t PREFIX=/usr   a staged tree; needs no root
#   make uninstall                        the programs go; config, keys and data stay
#   make deb                              $(BUILD)/thuky_$(VERSION)_ARCH.deb
#
# Every variable below can be set on the command line.

VERSION = 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# The binaries look for their catalog in ../share/locale beside themselves.
LOCALEDIR ?= $(PREFIX)/share/locale
CALENDARDIR ?= $(PREFIX)/share/thuky/calendar
CONFDIR = $(SYSCONFDIR)/thuky
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 0755
INSTALL_DATA ?= $(INSTALL) -m 0644

THUKY_DAEMONS = thuky-taskd thuky-sessiond thuky-notifyd thuky-webd
THUKY_UNITS = $(THUKY_DAEMONS:%=%.service) thuky.target
# Whatever pages exist (written separately), plus the names they will have,
# so that uninstall finds them either way.
THUKY_MAN = $(wildcard deploy/man/*.[158])
THUKY_MAN_VI = $(wildcard deploy/man/vi/*.[158])
THUKY_MAN_NAMES = $(sort $(notdir $(THUKY_MAN)) thuky.1 thuky.conf.5 $(THUKY_DAEMONS:%=%.8))
THUKY_CALENDARS = $(wildcard deploy/calendar/*.conf)

# When installing for real as root (no DESTDIR), the units need their user;
# `make deb` leaves this to the package's postinst.
THUKY_AS_ROOT = [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]
THUKY_SYSTEMD = [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]

.PHONY: install uninstall deb

install: $(BINS) $(LOCALE_MO)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(CALENDARDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(CONFDIR) \
		$(BUILD)/deploy
	$(INSTALL) -d -m 0750 $(DESTDIR)$(CONFDIR)/keys
	$(INSTALL_PROGRAM) $(BUILD)/thuky $(DESTDIR)$(BINDIR)/thuky
	$(INSTALL_PROGRAM) $(THUKY_DAEMONS:%=$(BUILD)/%) $(DESTDIR)$(SBINDIR)/
	@for page in $(THUKY_MAN); do \
		dir=$(DESTDIR)$(MANDIR)/man$${page##*.}; \
		$(INSTALL) -d -m 0755 $$dir && \
		gzip -9n -c $$page > $$dir/$${page##*/}.gz && chmod 0644 $$dir/$${page##*/}.gz && \
		echo "installed $$dir/$${page##*/}.gz" || exit 1; \
	done
	@for page in $(THUKY_MAN_VI); do \
		dir=$(DESTDIR)$(MANDIR)/vi/man$${page##*.}; \
		$(INSTALL) -d -m 0755 $$dir && \
		gzip -9n -c $$page > $$dir/$${page##*/}.gz && chmod 0644 $$dir/$${page##*/}.gz && \
		echo "installed $$dir/$${page##*/}.gz" || exit 1; \
	done
	$(INSTALL) -d -m 0755 $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES
	$(INSTALL_DATA) $(LOCALE_MO) $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES/thuky.mo
	$(if $(THUKY_CALENDARS),$(INSTALL_DATA) $(THUKY_CALENDARS) $(DESTDIR)$(CALENDARDIR)/)
	@for unit in $(THUKY_UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			deploy/systemd/$$unit > $(BUILD)/deploy/$$unit && \
		$(INSTALL_DATA) $(BUILD)/deploy/$$unit $(DESTDIR)$(SYSTEMDUNITDIR)/$$unit && \
		echo "installed $(DESTDIR)$(SYSTEMDUNITDIR)/$$unit" || exit 1; \
	done
	@# The default config, pointing at the installed calendar files. An existing
	@# config is the admin's: it is never overwritten.
	@sed 's|^calendar_dir = .*|calendar_dir = $(CALENDARDIR)|' deploy/thuky.conf > $(BUILD)/deploy/thuky.conf
	@grep -qx 'calendar_dir = $(CALENDARDIR)' $(BUILD)/deploy/thuky.conf || \
		{ echo "deploy/thuky.conf has no calendar_dir line" >&2; exit 1; }
	@conf=$(DESTDIR)$(CONFDIR)/thuky.conf; \
	if [ ! -e $$conf ]; then \
		$(INSTALL) -m 0640 $(BUILD)/deploy/thuky.conf $$conf && echo "installed $$conf"; \
	elif ! cmp -s $(BUILD)/deploy/thuky.conf $$conf; then \
		$(INSTALL) -m 0640 $(BUILD)/deploy/thuky.conf $$conf.new && \
		echo "kept $$conf (it differs from the default); the new default is $$conf.new"; \
	fi
	@if $(THUKY_AS_ROOT); then \
		getent passwd thuky >/dev/null || \
			adduser --system --group --home /var/lib/thuky --no-create-home --quiet thuky || \
			useradd --system --user-group --home-dir /var/lib/thuky --no-create-home \
				--shell /usr/sbin/nologin thuky || exit 1; \
		getent passwd thuky-web >/dev/null || \
			adduser --system --ingroup thuky --home /var/lib/thuky/webd --no-create-home \
				--quiet thuky-web || \
			useradd --system --gid thuky --home-dir /var/lib/thuky/webd --no-create-home \
				--shell /usr/sbin/nologin thuky-web || exit 1; \
		chown root:thuky $(CONFDIR)/keys $(CONFDIR)/thuky.conf && \
		if [ -e $(CONFDIR)/thuky.conf.new ]; then chown root:thuky $(CONFDIR)/thuky.conf.new; fi; \
	fi
	@if $(THUKY_SYSTEMD); then \
		systemctl daemon-reload && \
		echo "start the services with: systemctl enable --now thuky.target"; \
	fi

# Leaves the config, the keys and the data (/var/lib/thuky), like the thuky
# user: they are the admin's. Calendar files are removed by the names this
# tree ships, so files added beside them stay.
uninstall:
	@if $(THUKY_SYSTEMD); then systemctl disable --now $(THUKY_UNITS) || true; fi
	rm -f $(DESTDIR)$(BINDIR)/thuky $(THUKY_DAEMONS:%=$(DESTDIR)$(SBINDIR)/%)
	rm -f $(THUKY_UNITS:%=$(DESTDIR)$(SYSTEMDUNITDIR)/%)
	rm -f $(foreach p,$(THUKY_MAN_NAMES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(p).gz)
	rm -f $(foreach p,$(THUKY_MAN_NAMES),$(DESTDIR)$(MANDIR)/vi/man$(subst .,,$(suffix $(p)))/$(p).gz)
	rm -f $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES/thuky.mo
	rm -f $(addprefix $(DESTDIR)$(CALENDARDIR)/,$(notdir $(THUKY_CALENDARS)))
	rmdir $(DESTDIR)$(CALENDARDIR) $(DESTDIR)$(PREFIX)/share/thuky 2>/dev/null || true
	@if $(THUKY_SYSTEMD); then systemctl daemon-reload; fi
	@echo "kept $(DESTDIR)$(CONFDIR) (config, keys) and the data in /var/lib/thuky"

# The Debian package, from a tree staged by `make install`. Binaries are
# stripped; Depends is derived from the libraries the binaries link.
DEB_ARCH = $(shell dpkg --print-architecture)
DEB = $(BUILD)/thuky_$(VERSION)_$(DEB_ARCH).deb
DEB_STAGE = $(BUILD)/deb-stage

deb: $(BINS)
	rm -rf $(DEB_STAGE) $(DEB)
	umask 022 && $(MAKE) --no-print-directory install DESTDIR=$(abspath $(DEB_STAGE)) \
		PREFIX=/usr SYSCONFDIR=/etc SYSTEMDUNITDIR=/lib/systemd/system \
		BINDIR=/usr/bin SBINDIR=/usr/sbin MANDIR=/usr/share/man LOCALEDIR=/usr/share/locale \
		CALENDARDIR=/usr/share/thuky/calendar INSTALL_PROGRAM='$(INSTALL) -s -m 0755'
	@# The keys are local secrets: postinst makes the directory, so dpkg never
	@# owns (or removes) it.
	rmdir $(DEB_STAGE)/etc/thuky/keys
	$(INSTALL) -d -m 0755 $(DEB_STAGE)/DEBIAN
	depends=$$(deploy/debian/depends.sh $(BINS)) && \
	size=$$(du -sk --exclude=DEBIAN $(DEB_STAGE) | cut -f1) && \
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(DEB_ARCH)|' \
		-e "s|@DEPENDS@|$$depends, adduser|" -e "s|@SIZE@|$$size|" \
		deploy/debian/control.in > $(DEB_STAGE)/DEBIAN/control
	cd $(DEB_STAGE) && find etc -type f | sed 's|^|/|' | sort > DEBIAN/conffiles
	$(INSTALL) -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm \
		$(DEB_STAGE)/DEBIAN/
	dpkg-deb --root-owner-group --build $(DEB_STAGE) $(DEB)
