/*
 * ratelimit: windows of a bounded number of events (see ratelimit.h).
 */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

void
ratelimit_init(struct ratelimit *rl, int64_t window_ms, unsigned burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->window_ms = window_ms;
	rl->burst = burst;
}

static bool
window_over(const struct ratelimit *rl, int64_t now)
{
	return !rl->open || now - rl->start_ms >= rl->window_ms;
}

/* Closes the current window when it has ended at now; returns what it
 * held back. */
static struct ratelimit_held
flush(struct ratelimit *rl, int64_t now)
{
	struct ratelimit_held h = {0, 0};

	if (!rl->open || !window_over(rl, now))
		return h;
	h.count = rl->held;
	h.window_ms = now - rl->start_ms;
	rl->open = false;
	rl->passed = 0;
	rl->held = 0;
	return h;
}

bool
ratelimit_allow(struct ratelimit *rl, int64_t now, struct ratelimit_held *prev)
{
	struct ratelimit_held none = {0, 0};

	if (prev == NULL)
		prev = &none;
	prev->count = 0;
	prev->window_ms = 0;
	if (window_over(rl, now)) {
		*prev = flush(rl, now);
		rl->open = true;
		rl->start_ms = now;
	}
	if (rl->passed >= rl->burst) {
		rl->held++;
		return false;
	}
	rl->passed++;
	return true;
}

struct ratelimit_held
ratelimit_expire(struct ratelimit *rl, int64_t now)
{
	return flush(rl, now);
}

/* The next window of a key of s, after one that ended holding held. */
static void
adapt(const struct ratelimit_set *s, struct ratelimit *rl, unsigned long held)
{
	if (s->max_window_ms <= s->window_ms)
		return;
	if (held == 0)
		rl->window_ms = s->window_ms;
	else if (rl->window_ms * 2 < s->max_window_ms)
		rl->window_ms *= 2;
	else
		rl->window_ms = s->max_window_ms;
}

bool
ratelimit_set_allow(struct ratelimit_set *s, const char *key, int64_t now,
		    struct ratelimit_held *prev)
{
	char k[RATELIMIT_KEY_MAX];
	size_t i, oldest = 0;

	snprintf(k, sizeof(k), "%s", key);
	for (i = 0; i < s->used; i++) {
		if (strcmp(s->slot[i].key, k) == 0)
			break;
		if (s->slot[i].seen_ms < s->slot[oldest].seen_ms)
			oldest = i;
	}
	if (i == s->used) {
		if (s->used < RATELIMIT_SET_SLOTS) {
			i = s->used++;
		} else {
			i = oldest;
			if (s->slot[i].rl.held > 0) {
				if (s->evicted_held == 0)
					s->evicted_since_ms =
					    s->slot[i].rl.start_ms;
				s->evicted_held += s->slot[i].rl.held;
			}
		}
		memcpy(s->slot[i].key, k, sizeof(k));
		ratelimit_init(&s->slot[i].rl, s->window_ms, s->burst);
	}
	s->slot[i].seen_ms = now;
	if (s->slot[i].rl.open && window_over(&s->slot[i].rl, now)) {
		/* the timer has not closed it yet */
		struct ratelimit_held h = flush(&s->slot[i].rl, now);
		bool ok;

		adapt(s, &s->slot[i].rl, h.count);
		ok = ratelimit_allow(&s->slot[i].rl, now, NULL);
		if (prev != NULL)
			*prev = h;
		return ok;
	}
	return ratelimit_allow(&s->slot[i].rl, now, prev);
}

void
ratelimit_set_expire(struct ratelimit_set *s, int64_t now,
		     ratelimit_report_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < s->used; i++) {
		bool was_open = s->slot[i].rl.open;
		struct ratelimit_held h = flush(&s->slot[i].rl, now);

		if (was_open && !s->slot[i].rl.open)
			adapt(s, &s->slot[i].rl, h.count);
		if (h.count > 0)
			fn(ctx, s->slot[i].key, &h);
	}
	if (s->evicted_held > 0) {
		struct ratelimit_held h = {s->evicted_held,
					   now - s->evicted_since_ms};

		s->evicted_held = 0;
		fn(ctx, NULL, &h);
	}
}
