/*
 * ratelimit: "the same event is not logged a thousand times" (STYLE.md
 * 11), in one place. A limiter lets `burst` events through per window of
 * `window_ms` and counts the ones it holds back, so that the caller can
 * say how many were not logged and over how long.
 *
 * A window opens at the first event after the previous one ended (or at
 * the first event ever); time is the caller's (monotonic milliseconds,
 * clock_mono_ms), so the limiter is pure and testable. Neither type locks:
 * a limiter used by several threads is guarded by its owner.
 */
#ifndef GOSSIP_RATELIMIT_H
#define GOSSIP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit {
	int64_t window_ms;
	unsigned burst;
	int64_t start_ms;   /* the current window's start */
	bool open;	    /* a window has started */
	unsigned passed;    /* events let through in it */
	unsigned long held; /* events held back in it */
};

/* What a window held back, for the summary line. */
struct ratelimit_held {
	unsigned long count; /* 0: nothing held back */
	int64_t window_ms;   /* from its start to the event that closed it */
};

/* A limiter of burst events per window_ms, no window open yet. */
void ratelimit_init(struct ratelimit *rl, int64_t window_ms, unsigned burst);

/*
 * Counts one event at now. Returns true when it may be logged. When the
 * event opens a new window, what the previous window held back is given
 * in *prev (count 0 when nothing was); otherwise prev->count is 0. prev
 * may be NULL.
 */
bool ratelimit_allow(struct ratelimit *rl, int64_t now,
		     struct ratelimit_held *prev);

/*
 * Closes the window when it has ended at now and returns what it held
 * back (count 0 when it has not ended or held nothing): for a timer that
 * reports a window at its end instead of at the next event.
 */
struct ratelimit_held ratelimit_expire(struct ratelimit *rl, int64_t now);

#define RATELIMIT_KEY_MAX   272
#define RATELIMIT_SET_SLOTS 16

/*
 * One limiter per key (a peer address, a peer and a reason, ...), for the
 * RATELIMIT_SET_SLOTS most recent keys; a new key takes the slot of the
 * least recently seen one. Keys are cut at RATELIMIT_KEY_MAX - 1 bytes.
 * Set window_ms and burst, the rest zero:
 *     struct ratelimit_set s = {.window_ms = 60000, .burst = 1};
 */
struct ratelimit_set {
	struct {
		char key[RATELIMIT_KEY_MAX];
		int64_t seen_ms;
		struct ratelimit rl;
	} slot[RATELIMIT_SET_SLOTS];
	size_t used;
	int64_t window_ms;
	unsigned burst;
	/* 0, or longer than window_ms: a key whose window ended holding
	 * events gets a window twice as long next (up to this), so that a
	 * peer refused over and over is reported less and less often; a
	 * window that holds nothing brings it back to window_ms */
	int64_t max_window_ms;
	/* held back by windows whose slot a new key took, not reported yet */
	unsigned long evicted_held;
	int64_t evicted_since_ms;
};

/* ratelimit_allow for the limiter of key. */
bool ratelimit_set_allow(struct ratelimit_set *s, const char *key, int64_t now,
			 struct ratelimit_held *prev);

/*
 * The timer side of a set: calls fn for every key whose window has ended
 * at now with events held back (and closes it), and once with key NULL
 * for what windows taken over by new keys held (window_ms: since the
 * first of them).
 */
typedef void (*ratelimit_report_fn)(void *ctx, const char *key,
				    const struct ratelimit_held *held);
void ratelimit_set_expire(struct ratelimit_set *s, int64_t now,
			  ratelimit_report_fn fn, void *ctx);

#endif
