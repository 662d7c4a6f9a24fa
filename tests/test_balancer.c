/* test_balancer.c - mem-balancer's policies (balancer/): xenmm's worked
 * examples for the tax, the auto rate's rise and decay, the bounds of
 * bal_limits on random inputs, the MOM-like policy and size parsing. */
#include <glib.h>
#include <math.h>

#include "bal_limits.h"
#include "bal_listen.h"
#include "bal_mom.h"
#include "bal_size.h"
#include "bal_tax.h"
#include "sk_error.h"
#include "sk_test.h"

#define T 4194304   /* 4 GiB in KiB: 001.md's examples */
#define F 102400    /* 100 MiB reserve */

static void test_tax_auto_example(void)
{
    gint64 used[] = {3500000, 200000}, target[2];
    double tau = bal_tax_auto_rate(used, 2, T, F, 0.0);

    g_assert_cmpfloat_with_epsilon(tau, 0.912272, 1e-6);
    bal_tax_targets(used, 2, T, tau, target);
    g_assert_cmpint(target[0], ==, 3602400);
    g_assert_cmpint(target[1], ==, 591904);
}

static void test_tax_auto_decay(void)
{
    gint64 used[] = {1000000, 200000}, target[2];
    /* from 0 the formula is negative: clamped to 0, equal shares */
    double tau = bal_tax_auto_rate(used, 2, T, F, 0.0);
    g_assert_cmpfloat(tau, ==, 0.0);
    bal_tax_targets(used, 2, T, tau, target);
    g_assert_cmpint(target[0], ==, 2097152);
    g_assert_cmpint(target[1], ==, 2097152);
    /* from 0.91227 it falls by a tenth of the gap only */
    tau = bal_tax_auto_rate(used, 2, T, F, 0.91227);
    g_assert_cmpfloat_with_epsilon(tau, 0.821043, 1e-6);
    bal_tax_targets(used, 2, T, tau, target);
    g_assert_cmpint(target[0], ==, 2425569);
    g_assert_cmpint(target[1], ==, 1768734);
}

static void test_tax_auto_rises_at_once(void)
{
    gint64 used[] = {3500000, 200000};
    /* a rate below the formula's jumps to it in one step */
    double tau = bal_tax_auto_rate(used, 2, T, F, 0.1);
    g_assert_cmpfloat_with_epsilon(tau, 0.912272, 1e-6);
    /* the decay goes on step by step towards 0 */
    gint64 idle[] = {1000000, 200000};
    double prev = tau;
    for (int i = 0; i < 20; i++) {
        double next = bal_tax_auto_rate(idle, 2, T, F, prev);
        g_assert_cmpfloat_with_epsilon(next, prev * 0.9, 1e-12);
        prev = next;
    }
}

static void test_tax_static_example(void)
{
    BalVm vms[2] = {{.used = 3500000}, {.used = 200000}};
    double tau = bal_tax_step(vms, 2, T, F, FALSE, 0.75);

    g_assert_cmpfloat(tau, ==, 0.75);
    g_assert_cmpint(vms[0].next, ==, 3334652);
    g_assert_cmpint(vms[1].next, ==, 859652);
    /* xenmm's -r: rate 0, equal shares whatever is used */
    bal_tax_step(vms, 2, T, F, FALSE, 0.0);
    g_assert_cmpint(vms[0].next, ==, T / 2);
    g_assert_cmpint(vms[1].next, ==, T / 2);
}

static void test_tax_all_equal(void)
{
    gint64 used[] = {500000, 500000, 500000}, target[3];
    double tau = bal_tax_auto_rate(used, 3, T, F, 0.4);

    g_assert_cmpfloat(tau, ==, 0.4);      /* no NaN, the last rate kept */
    bal_tax_targets(used, 3, T, tau, target);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(target[i], ==, T / 3);
}

/* 001.md's formula, written out once more as plainly as it reads. */
static void reference(const gint64 *used, int n, gint64 total, gint64 reserve,
                      double old_tau, gboolean automatic, double rate,
                      double *tau_out, gint64 *target)
{
    double amax = -1, amean = 0, tau = rate;
    for (int i = 0; i < n; i++) {
        amax = fmax(amax, (double)used[i] / (double)total);
        amean += (double)used[i];
    }
    amean /= n;
    if (automatic) {
        double d = amax - amean / (double)total;
        if (d > 0) {
            double t = ((double)reserve / (double)total + amax - 1.0 / n) / d;
            t = fmin(fmax(t, 0), 1);
            tau = t >= old_tau ? t : old_tau - (old_tau - t) / 10;
        } else {
            tau = old_tau;
        }
    }
    for (int i = 0; i < n; i++)
        target[i] = (gint64)((double)total / n - tau * amean + tau * (double)used[i]);
    *tau_out = tau;
}

static void test_tax_random(void)
{
    GRand *r = g_rand_new_with_seed(18);

    for (int round = 0; round < 2000; round++) {
        int n = g_rand_int_range(r, 1, 9);
        gint64 total = g_rand_int_range(r, 1 << 18, 1 << 26);
        gint64 reserve = g_rand_int_range(r, 0, (gint32)(total / 10));
        BalVm vms[8];
        gint64 used[8], want[8];
        double old_tau = g_rand_double(r), tau_want;
        gboolean automatic = g_rand_boolean(r);
        double rate = g_rand_double(r);

        for (int i = 0; i < n; i++) {
            used[i] = g_rand_int_range(r, 0, (gint32)(total / n * 2));
            vms[i] = (BalVm){.used = used[i]};
        }
        reference(used, n, total, reserve, old_tau, automatic, rate, &tau_want, want);
        double tau = bal_tax_step(vms, n, total, reserve, automatic,
                                  automatic ? old_tau : rate);
        g_assert_cmpfloat(tau, ==, tau_want);
        g_assert_cmpfloat(tau, >=, 0);
        g_assert_cmpfloat(tau, <=, 1);
        gint64 sum = 0;
        for (int i = 0; i < n; i++) {
            g_assert_cmpint(vms[i].next, ==, want[i]);
            sum += vms[i].next;
        }
        /* the targets share the total, up to one KiB a VM of truncation */
        g_assert_cmpint(sum, <=, total);
        g_assert_cmpint(sum, >=, total - n - 1);
    }
    g_rand_free(r);
}

static void test_limits_floor_max_step(void)
{
    BalLimits l = {.total = 3000, .floor = 500, .max_step = 100};
    BalVm vms[3] = {
        {.target = 1000, .max = 2000, .next = 100},   /* below floor, step: 900 */
        {.target = 1000, .max = 1050, .next = 1500},  /* above max */
        {.target = 400, .max = 2000, .next = 300},    /* below floor: to the floor */
    };

    bal_limits_apply(&l, vms, 3);
    g_assert_cmpint(vms[0].next, ==, 900);
    g_assert_cmpint(vms[1].next, ==, 1050);
    g_assert_cmpint(vms[2].next, ==, 500);
    g_assert_true(bal_limits_check(&l, vms, 3));
}

static void test_limits_sum(void)
{
    BalLimits l = {.total = 2000, .floor = 200};
    BalVm vms[2] = {
        {.target = 1000, .max = 4000, .next = 1600},  /* rises by 600 */
        {.target = 1000, .max = 4000, .next = 1000},
    };

    bal_limits_apply(&l, vms, 2);
    /* the rise is cut first */
    g_assert_cmpint(vms[0].next, ==, 1000);
    g_assert_cmpint(vms[1].next, ==, 1000);
    /* sum of floors over the total is refused before a run */
    GError *error = NULL;
    BalLimits tight = {.total = 300, .floor = 200};
    g_assert_false(bal_limits_valid(&tight, vms, 2, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "floors");
    g_assert_true(bal_limits_valid(&l, vms, 2, &error));
}

static void test_limits_random(void)
{
    GRand *r = g_rand_new_with_seed(1801);

    for (int round = 0; round < 5000; round++) {
        int n = g_rand_int_range(r, 1, 9);
        BalVm vms[8], before[8];
        BalLimits l = {.total = g_rand_int_range(r, 1000, 1 << 24)};
        l.floor = g_rand_int_range(r, 0, (gint32)(l.total / n + 1));
        l.max_step = g_rand_boolean(r) ? 0 : g_rand_int_range(r, 1, 1 << 20);
        for (int i = 0; i < n; i++) {
            vms[i].max = g_rand_int_range(r, 1, 1 << 23);
            vms[i].target = g_rand_int_range(r, 0, (gint32)vms[i].max + 1);
            vms[i].next = g_rand_int_range(r, -(1 << 20), 1 << 24);
            before[i] = vms[i];
        }
        g_assert_true(bal_limits_valid(&l, vms, n, NULL));
        bal_limits_apply(&l, vms, n);
        g_assert_true(bal_limits_check(&l, vms, n));
        gint64 sum = 0;
        for (int i = 0; i < n; i++)
            sum += vms[i].next;
        for (int i = 0; i < n; i++) {
            gint64 lo = MIN(l.floor, vms[i].max);
            if (l.max_step && vms[i].next > before[i].target && vms[i].next > lo)
                g_assert_cmpint(vms[i].next - before[i].target, <=, l.max_step);
            if (l.max_step && vms[i].next < before[i].target - l.max_step &&
                vms[i].next > lo)
                g_assert_cmpint(sum, ==, l.total);
        }
    }
    g_rand_free(r);
}

static void test_mom(void)
{
    /* no pressure: 1000 of 4000 held; a VM short of free memory grows */
    BalVm vms[2] = {
        {.target = 500, .max = 2000, .free = 10},    /* goal 100: +90 (step 100) */
        {.target = 500, .max = 2000, .free = 400},   /* plenty, no pressure: stays */
    };
    g_assert_false(bal_mom_step(vms, 2, 4000));
    g_assert_cmpint(vms[0].next, ==, 590);
    g_assert_cmpint(vms[1].next, ==, 500);
    /* pressure: 3600 of 4000 held; the idle VM gives back one step */
    BalVm p[2] = {
        {.target = 1800, .max = 2000, .free = 1000},  /* goal 360: -100 */
        {.target = 1800, .max = 2000, .free = 360},   /* at its goal */
    };
    g_assert_true(bal_mom_step(p, 2, 4000));
    g_assert_cmpint(p[0].next, ==, 1700);
    g_assert_cmpint(p[1].next, ==, 1800);
}

static void test_size(void)
{
    static const struct { const char *text; gint64 kib; } good[] = {
        {"0", 0}, {"4096", 4096}, {"100k", 100}, {"100K", 100}, {"512M", 524288},
        {"512m", 524288}, {"2G", 2097152}, {"2g", 2097152}, {"1048576G", (gint64)1 << 40}, {"1073741824G", (gint64)1 << 50},
    };
    static const char *bad[] = {
        "", "M", "-1", "+1", " 1", "1 ", "1.5G", "0x10", "1MB", "1KK", "1T",
        "1125899906842625", "1073741825G", "1048576T", "99999999999999999999999",
    };
    GError *error = NULL;
    gint64 kib;

    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_true(bal_size_parse("--floor", good[i].text, &kib, &error));
        g_assert_no_error(error);
        g_assert_cmpint(kib, ==, good[i].kib);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (bal_size_parse("--floor", bad[i], &kib, &error))
            g_error("size %s accepted", bad[i]);
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "--floor: bad size");
    }
}

static void test_listen(void)
{
    static const char *bad[] = {
        "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:080",
        "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1: 80", "127.0.0.1:80 ", "0.0.0.0:80",
        "localhost:80", ":80", "127.0.0.10:80", "127.0.0.1:80:80", "[::1]:80",
    };
    GError *error = NULL;
    guint16 port = 0;

    g_assert_true(bal_listen_parse("127.0.0.1:9091", &port, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(port, ==, 9091);
    g_assert_true(bal_listen_parse("127.0.0.1:65535", &port, &error));
    g_assert_cmpuint(port, ==, 65535);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (bal_listen_parse(bad[i], &port, &error))
            g_error("listen address %s accepted", bad[i]);
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "option --listen");
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/balancer/tax/auto-example", test_tax_auto_example);
    g_test_add_func("/balancer/tax/auto-decay", test_tax_auto_decay);
    g_test_add_func("/balancer/tax/auto-rises-at-once", test_tax_auto_rises_at_once);
    g_test_add_func("/balancer/tax/static-example", test_tax_static_example);
    g_test_add_func("/balancer/tax/all-equal", test_tax_all_equal);
    g_test_add_func("/balancer/tax/random", test_tax_random);
    g_test_add_func("/balancer/limits/floor-max-step", test_limits_floor_max_step);
    g_test_add_func("/balancer/limits/sum", test_limits_sum);
    g_test_add_func("/balancer/limits/random", test_limits_random);
    g_test_add_func("/balancer/mom", test_mom);
    g_test_add_func("/balancer/size", test_size);
    g_test_add_func("/balancer/listen", test_listen);
    return g_test_run();
}
