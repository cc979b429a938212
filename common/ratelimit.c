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
	return ratelimit_allow(&s->slot[i].rl, now, prev);
}

void
ratelimit_set_expire(struct ratelimit_set *s, int64_t now,
		     ratelimit_report_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < s->used; i++) {
		struct ratelimit_held h = flush(&s->slot[i].rl, now);

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
