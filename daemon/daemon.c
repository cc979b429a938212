/*
 * daemon: "gossipd start": load the options, set up the credentials, the
 * gossip part and the listener, then wait for signals (SIGTERM/SIGINT:
 * drain and exit 0; SIGHUP: reload) and run the daily certificate check.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "commands.h"
#include "client_view.h"
#include "gossip_service.h"
#include "gossipd.h"
#include "listener.h"
#include "reload.h"
#include "log.h"
#include "metrics.h"
#include "sanity.h"
#include "sdnotify.h"
#include "version.h"
#include "tls_server.h"
#include "clock.h"

#define DRAIN_MS       1000
#define EXPIRY_CHECK_S (24 * 3600)
#define CRL_CHECK_S    3600	       /* a stale CRL: an error this often */
#define CRL_SOON_S     (7 * 24 * 3600) /* a CRL due this soon: a warning */

/* When the main loop looks at the CRLs next (set at every load). */
static time_t crl_next_check;
#define EXPIRY_WARN_S (30 * 24 * 3600)

/*
 * Tells the service manager (NOTIFY_SOCKET, when it set one) the daemon's
 * state. A failure is logged once, not at every watchdog ping: the
 * manager then sees the daemon as it would without notifications.
 */
static void
notify_systemd(const char *state)
{
	static atomic_bool warned;
	char err[256];

	if (sdnotify_send(getenv("NOTIFY_SOCKET"), state, err, sizeof(err)) <
		0 &&
	    !atomic_exchange(&warned, true))
		log_warn("cannot notify the service manager (%s): %s", state,
			 err);
}

struct tls_creds *
gossipd_creds_get(struct gossipd *d)
{
	struct tls_creds *c = NULL;

	pthread_mutex_lock(&d->lock);
	if (d->creds != NULL)
		c = tls_creds_ref(d->creds);
	pthread_mutex_unlock(&d->lock);
	return c;
}

const struct gossipd_config *
gossipd_cfg_get(struct gossipd *d)
{
	const struct gossipd_config *c;

	pthread_mutex_lock(&d->lock);
	c = options_ref(d->cfg_live);
	pthread_mutex_unlock(&d->lock);
	return c;
}

void
gossipd_cfg_put(const struct gossipd_config *cfg)
{
	options_free(cfg);
}

const struct gossipd_config *
gossipd_cfg_refresh(struct gossipd *d, const struct gossipd_config **held,
		    unsigned *gen)
{
	unsigned now = atomic_load(&d->cfg_gen);

	if (*held == NULL || now != *gen) {
		/* a swap after the load only makes the next turn refresh */
		gossipd_cfg_put(*held);
		*held = gossipd_cfg_get(d);
		*gen = now;
	}
	return *held;
}

static void
creds_warn(void *ctx, const char *message)
{
	(void)ctx;
	log_warn("%s", message);
}

static bool
is_wildcard(const char *ip)
{
	return strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

static int
load_creds(const struct gossipd_config *cfg, struct tls_creds **out, char *err,
	   size_t errlen)
{
	struct tls_creds_config tc = {
	    .certificate_file = cfg->certificate_file,
	    .certificate_password = cfg->certificate_password,
	    .private_key_file = cfg->certificate_private_key_file,
	    .private_key_password = cfg->certificate_private_key_password,
	    .trusted_roots_path = cfg->trusted_root_certificates_path,
	    .crl_file = cfg->certificate_revocation_list_file,
	    .crl_stale_refuses_all =
		cfg->certificate_revocation_list_stale_refuses_all,
	    .reserved_node_cn = cfg->certificate_reserved_node_common_name,
	    .advertised_host = options_advertised_host(cfg),
	    .listens_on_wildcard = is_wildcard(cfg->node_ip),
	};

	*out = NULL;
	if (cfg->insecure)
		return 0;
	return tls_creds_load(&tc, time(NULL), creds_warn, NULL, out, err,
			      errlen);
}

static void
utc_str(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "?");
}

/*
 * The CRLs' health (SPEC.md section 5): a CRL past its nextUpdate is an
 * error (at load and every CRL_CHECK_S), one within CRL_SOON_S of it a
 * warning (at load and daily). Returns when to look again: in an hour, or
 * sooner when a CRL turns stale or due before that.
 */
static time_t
crl_check(const struct tls_creds *c, const char *file, bool at_load)
{
	static time_t last_soon; /* the main thread's */
	time_t now = time(NULL), next = now + CRL_CHECK_S;
	bool soon_due = at_load || now - last_soon >= EXPIRY_CHECK_S;
	char date[64];

	for (int i = 0; c != NULL && i < c->n_crls; i++) {
		const struct tls_creds_crl *b = &c->crls[i];
		time_t left = b->next_update - now;

		if (b->next_update == 0)
			continue;
		utc_str(b->next_update, date, sizeof(date));
		if (left <= 0) {
			log_error(
			    "CertificateRevocationListFile %s: the CRL of "
			    "\"%s\" is past its next update (%s): publish a "
			    "new one and reload; the certificates it lists "
			    "stay refused, %s",
			    file, b->issuer, date,
			    c->crl_stale_refuses_all
				? "and so is every other certificate of that "
				  "CA "
				  "(CertificateRevocationListStaleRefusesAll)"
				: "the others of that CA are still accepted");
			continue;
		}
		if (left <= CRL_SOON_S && soon_due) {
			log_warn("CertificateRevocationListFile %s: the CRL of "
				 "\"%s\" is due for its next update in %lld "
				 "h (%s): publish a new one before then",
				 file, b->issuer, (long long)left / 3600, date);
			last_soon = now;
		}
		if (b->next_update < next)
			next = b->next_update;
		if (left > CRL_SOON_S && b->next_update - CRL_SOON_S < next)
			next = b->next_update - CRL_SOON_S;
	}
	return next;
}

static void
log_creds(const struct tls_creds *c, const char *crl_file)
{
	char date[64];

	if (c == NULL)
		return;
	log_info("node certificate CN \"%s\"; %d trusted root%s; reserved "
		 "node CN \"%s\"%s",
		 c->own_cn, c->n_trusted, c->n_trusted == 1 ? "" : "s",
		 c->reserved_cn,
		 c->reserved_cn_is_auto ? " (auto-configured from the node "
					  "certificate)"
					: "");
	for (int i = 0; i < c->n_crls; i++) {
		const struct tls_creds_crl *b = &c->crls[i];

		if (b->next_update != 0)
			utc_str(b->next_update, date, sizeof(date));
		else
			snprintf(date, sizeof(date), "none given");
		log_info("CertificateRevocationListFile %s: CRL of \"%s\", "
			 "%d revoked serial%s, next update %s",
			 crl_file, b->issuer, b->revoked,
			 b->revoked == 1 ? "" : "s", date);
	}
	__atomic_store_n(&crl_next_check, crl_check(c, crl_file, true),
			 __ATOMIC_RELAXED);
}

/* The reload itself; main thread, under reload_lock (so cfg_live, which
 * only this swaps, is read in place here). */
static int
reload_locked(struct gossipd *d, struct opt_reload_report *rep, char *err,
	      size_t errlen)
{
	struct gossipd_config *fresh, *next = NULL, *old_cfg;
	struct tls_creds *creds = NULL, *old_creds;

	err[0] = '\0';
	fresh =
	    options_reload(d->cfg_live, d->argc, d->argv, d->envp, err, errlen);
	if (fresh == NULL)
		return -1;
	next = options_apply_reload(d->cfg_live, fresh, rep);
	options_free(fresh);
	if (next == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (load_creds(next, &creds, err, errlen) != 0 ||
	    (creds != NULL &&
	     tls_server_update(d->listener, creds, err, errlen) != 0)) {
		if (err[0] == '\0')
			snprintf(err, errlen, "out of memory");
		tls_creds_unref(creds);
		options_free(next);
		return -1;
	}
	pthread_mutex_lock(&d->lock);
	old_cfg = d->cfg_live;
	d->cfg_live = next;
	atomic_fetch_add(&d->cfg_gen, 1);
	old_creds = d->creds;
	d->creds = creds;
	pthread_mutex_unlock(&d->lock);
	tls_creds_unref(old_creds);
	options_free(old_cfg); /* freed now, or by its last user */
	options_log_setup(next);
	listener_reload(d->listener, next);
	if (rep->n_restart > 0)
		log_warn("changed options that take effect only after a "
			 "restart: %s",
			 rep->restart);
	log_creds(creds, next->certificate_revocation_list_file);
	return 0;
}

int
gossipd_reload(struct gossipd *d, char *err, size_t errlen)
{
	struct opt_reload_report rep;
	enum log_level lvl;
	int rc;

	notify_systemd("RELOADING=1");
	pthread_mutex_lock(&d->reload_lock);
	rc = reload_locked(d, &rep, err, errlen);
	pthread_mutex_unlock(&d->reload_lock);
	metrics_reload(rc == 0);
	if (rc != 0) {
		log_error("reload failed, the previous settings stay: %s", err);
	} else {
		gossip_service_reload(d);
		/* One line an operator sees whatever LogLevel is, up to
		 * warn: info where info shows, else warn. */
		lvl = log_get_level() <= LL_INFO ? LL_INFO : LL_WARN;
		log_msg(lvl, "configuration reloaded: %s%s%s (log level %s)",
			rep.n_applied > 0 ? "applied " : "no option changed",
			rep.applied,
			rep.n_restart > 0 ? "; some changes need a restart"
					  : "",
			log_level_name(log_get_level()));
	}
	notify_systemd("READY=1");
	return rc;
}

/* Warns when the node or a CA certificate expires within 30 days. */
static void
expiry_check(struct gossipd *d)
{
	struct tls_creds *c = gossipd_creds_get(d);
	time_t now = time(NULL);

	if (c == NULL)
		return;
	if (c->own_not_after - now < EXPIRY_WARN_S)
		log_warn(
		    "the node certificate (CertificateFile) expires in %lld "
		    "days",
		    (long long)(c->own_not_after - now) / 86400);
	if (c->ca_not_after != 0 && c->ca_not_after - now < EXPIRY_WARN_S)
		log_warn("a CA certificate of the node's chain expires in %lld "
			 "days",
			 (long long)(c->ca_not_after - now) / 86400);
	tls_creds_unref(c);
}

/* The CRL check of the signal loop, over the current set. */
static void
crl_check_now(struct gossipd *d)
{
	struct tls_creds *c = gossipd_creds_get(d);
	const struct gossipd_config *cfg = gossipd_cfg_get(d);
	time_t next =
	    crl_check(c, cfg->certificate_revocation_list_file, false);

	__atomic_store_n(&crl_next_check, next, __ATOMIC_RELAXED);
	gossipd_cfg_put(cfg);
	tls_creds_unref(c);
}

/*
 * The systemd watchdog interval asked for (WATCHDOG_USEC, when the unit
 * sets WatchdogSec=), halved as sd_watchdog_enabled(3) advises, in
 * milliseconds; 0 when there is none.
 */
static int
watchdog_interval_ms(void)
{
	uint64_t usec = 0, ms;
	char err[256];
	int r =
	    sdnotify_watchdog(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
			      getpid(), &usec, err, sizeof(err));

	if (r < 0)
		log_warn("the systemd watchdog is not pinged: %s", err);
	if (r <= 0)
		return 0;
	ms = usec / 2000;
	return ms == 0 ? 1 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Waits for signals; returns when asked to stop. Pings the systemd
 * watchdog from this loop, so a wedged main thread is restarted. */
static void
signal_loop(struct gossipd *d, int sfd)
{
	time_t next_check = time(NULL) + EXPIRY_CHECK_S, crl_at;
	int wd_ms = watchdog_interval_ms();
	int64_t next_ping = clock_mono_ms();
	struct signalfd_siginfo si;
	char err[1024];

	for (;;) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
				      {.fd = d->reload_efd, .events = POLLIN}};
		time_t now = time(NULL);
		int64_t timeout = (int64_t)(next_check - now) * 1000;
		int r;

		if (now >= next_check) {
			expiry_check(d);
			next_check = now + EXPIRY_CHECK_S;
			timeout = (int64_t)EXPIRY_CHECK_S * 1000;
		}
		if (now >= __atomic_load_n(&crl_next_check, __ATOMIC_RELAXED))
			crl_check_now(d);
		crl_at = __atomic_load_n(&crl_next_check, __ATOMIC_RELAXED);
		if (crl_at > now && (int64_t)(crl_at - now) * 1000 < timeout)
			timeout = (int64_t)(crl_at - now) * 1000;
		if (wd_ms > 0) {
			int64_t t = clock_mono_ms();

			if (t >= next_ping) {
				notify_systemd("WATCHDOG=1");
				next_ping = t + wd_ms;
			}
			if (next_ping - t < timeout)
				timeout = next_ping - t;
		}
		r = poll(p, 2, (int)timeout);
		if (r > 0 && (p[1].revents & POLLIN))
			reload_queue_run(d);
		if (r <= 0 || !(p[0].revents & POLLIN) ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			const struct gossipd_config *before =
			    gossipd_cfg_get(d);
			const struct gossipd_config *after;
			char who[64];
			int rc;

			log_info("SIGHUP: reloading");
			snprintf(who, sizeof(who), "SIGHUP (pid %u, uid %u)",
				 si.ssi_pid, si.ssi_uid);
			rc = gossipd_reload(d, err, sizeof(err));
			after = gossipd_cfg_get(d);
			audit_reload(who, before, after, rc, err);
			gossipd_cfg_put(after);
			gossipd_cfg_put(before);
			continue;
		}
		log_info("%s: stopping", strsignal((int)si.ssi_signo));
		return;
	}
}

/* When started as root: drop to RunAsUser/RunAsGroup unless AllowRoot. */
static int
drop_privileges(const struct gossipd_config *cfg, char *err, size_t errlen)
{
	const char *user = cfg->run_as_user;
	const char *group = cfg->run_as_group;
	struct passwd *pw;
	struct group *gr = NULL;
	gid_t gid;

	if (geteuid() != 0 || cfg->allow_root)
		return 0;
	if (user == NULL) {
		snprintf(err, errlen,
			 "refusing to run as root: set RunAsUser, or "
			 "AllowRoot: true");
		return -1;
	}
	pw = getpwnam(user);
	if (group != NULL)
		gr = getgrnam(group);
	if (pw == NULL || (group != NULL && gr == NULL)) {
		snprintf(err, errlen,
			 "RunAsUser/RunAsGroup: no such %s \"%s\" (create it, "
			 "or set AllowRoot: true)",
			 pw == NULL ? "user" : "group",
			 pw == NULL ? user : group);
		return -1;
	}
	gid = gr != NULL ? gr->gr_gid : pw->pw_gid;
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "cannot drop privileges to %s: %s", user,
			 strerror(errno));
		return -1;
	}
	log_info("running as user %s", user);
	return 0;
}

static void
gossipd_free(struct gossipd *d)
{
	listener_free(d->listener);
	gossip_service_stop(d);
	client_view_release();
	tls_creds_unref(d->creds);
	reload_queue_fini(d);
	options_free(d->cfg_live);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->reload_lock);
}

/* A connection costs up to three descriptors (client socket, both ends of
 * the socketpair): raise the soft limit to the hard one, and say so when
 * even that is short of what MaxConnections needs. */
static void
raise_fd_limit(const struct gossipd_config *cfg)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)cfg->max_connections * 3 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warn("the descriptor limit (%llu) is below what "
			 "MaxConnections %d needs (about %llu); raise "
			 "LimitNOFILE or lower MaxConnections",
			 (unsigned long long)rl.rlim_cur, cfg->max_connections,
			 (unsigned long long)need);
}

/* Main thread, before any other: cfg is the live configuration. */
static int
start_serving(struct gossipd *d, const struct gossipd_config *cfg, char *err,
	      size_t errlen)
{
	raise_fd_limit(cfg);
	if (load_creds(cfg, &d->creds, err, errlen) != 0)
		return -1;
	log_creds(d->creds, cfg->certificate_revocation_list_file);
	if (cfg->insecure)
		log_warn("INSECURE MODE: plain HTTP, no certificates, no "
			 "authentication; every peer is trusted as a node. "
			 "Never run like this outside a test bench.");
	sanity_before_start(cfg);
	if (gossip_service_start(d, err, errlen) != 0)
		return -1;
	if (listener_create(d, &d->listener, err, errlen) != 0)
		return -1;
	if (drop_privileges(cfg, err, errlen) != 0)
		return -1;
	sanity_after_drop(cfg);
	return listener_start(d->listener, err, errlen);
}

/* Stops the listener; requests in flight get DRAIN_MS, and reloads they
 * ask for are still answered meanwhile. */
static void
drain(struct gossipd *d)
{
	listener_stop_begin(d->listener, DRAIN_MS);
	while (!listener_drained(d->listener)) {
		struct pollfd p = {.fd = d->reload_efd, .events = POLLIN};

		if (poll(&p, 1, 20) > 0)
			reload_queue_run(d);
	}
	listener_stop(d->listener, DRAIN_MS);
	reload_queue_fail(d, "the daemon is stopping");
}

static int
run(struct gossipd_config *cfg, int argc, char **argv, char **envp)
{
	struct gossipd d;
	char err[1024];
	sigset_t set;
	int sfd, rc = 0;

	memset(&d, 0, sizeof(d));
	pthread_mutex_init(&d.lock, NULL);
	pthread_mutex_init(&d.reload_lock, NULL);
	d.cfg_live = cfg; /* the one reference, dropped by gossipd_free */
	d.reload_efd = -1;
	d.argc = argc;
	d.argv = argv;
	d.envp = envp;
	d.started = ticks_now();
	atomic_init(&d.phase, PHASE_STARTING);

	/* Blocked before any thread starts, so that only signalfd sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);

	if (sfd < 0 || reload_queue_init(&d, err, sizeof(err)) != 0 ||
	    start_serving(&d, cfg, err, sizeof(err)) != 0) {
		if (sfd < 0)
			snprintf(err, sizeof(err), "signalfd: %s",
				 strerror(errno));
		log_error("cannot start: %s", err);
		rc = 1;
	} else {
		atomic_store(&d.phase, PHASE_SERVING);
		notify_systemd("READY=1");
		signal_loop(&d, sfd);
		atomic_store(&d.phase, PHASE_STOPPING);
		notify_systemd("STOPPING=1");
		gossip_service_leave(&d);
		drain(&d);
		log_info("stopped");
	}
	gossipd_free(&d);
	if (sfd >= 0)
		close(sfd);
	return rc;
}

int
cmd_start(int argc, char **argv, char **envp)
{
	struct opt_cli cli = {0};
	struct gossipd_config *cfg;
	char err[1024];

	cfg = options_load(argc - 1, argv + 1, envp, &cli, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "%sgossipd: %s\n",
			log_priority_prefix(LL_ERROR), err);
		return 2;
	}
	if (cli.help || cli.version || cli.what_if || cli.doc_format != NULL) {
		if (cli.version)
			version_print(stdout);
		else if (cli.doc_format != NULL)
			options_doc(stdout, cli.doc_format);
		else if (cli.help)
			options_help(stdout);
		else
			options_what_if(cfg, stdout);
		options_free(cfg);
		return 0;
	}
	options_log_setup(cfg);
	log_info("gossipd %s starting (pid %d)", GOSSIPD_VERSION,
		 (int)getpid());
	options_log(cfg);
	return run(cfg, argc - 1, argv + 1, envp);
}
