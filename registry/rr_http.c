/* rr_http.c - lanes of blob transfers on one curl multi handle. */
#include "rr_http.h"

#include <curl/curl.h>
#include <string.h>

#include "sk_error.h"
#include "sk_signal.h"

#define POLL_MS_MAX 100                 /* the longest wait between stop checks */

typedef enum { IDLE, WAITING, HEAD, POST, PUT, GET, FINISHED } Step;

typedef struct Lane {
    CURL *easy;
    Step step;
    RrTransfer t;
    int64_t start_us;
    uint64_t offset;                    /* PUT: bytes handed to curl */
    char *location;                     /* POST: the upload's Location */
    char *content_digest;               /* PUT: Docker-Content-Digest */
    struct curl_slist *headers;
    char curl_error[CURL_ERROR_SIZE];
} Lane;

typedef struct Engine {
    CURLM *multi;
    Lane *lanes;
    guint n;
    const RrLaneSource *src;
} Engine;

gboolean rr_http_registry_ok(const char *registry)
{
    const char *colon = strrchr(registry, ':');
    const char *p = registry;
    guint64 port;
    char *end;

    if (colon == NULL || colon == registry)
        return FALSE;
    if (*p == '[') {
        for (p++; p < colon - 1; p++)
            if (!g_ascii_isxdigit(*p) && *p != ':' && *p != '.')
                return FALSE;
        if (colon - registry < 3 || colon[-1] != ']')
            return FALSE;
    } else {
        for (; p < colon; p++)
            if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
                return FALSE;
    }
    if (!g_ascii_isdigit(colon[1]))
        return FALSE;
    port = g_ascii_strtoull(colon + 1, &end, 10);
    return *end == '\0' && port >= 1 && port <= 65535;
}

/* Header names of interest, case-insensitively; values without the CRLF. */
static size_t on_header(char *data, size_t size, size_t count, void *user)
{
    Lane *l = user;
    size_t n = size * count;
    char *line = g_strndup(data, n);
    char *colon = strchr(line, ':');

    if (colon) {
        char *value = g_strstrip(colon + 1);

        *colon = '\0';
        if (g_ascii_strcasecmp(line, "Location") == 0) {
            g_free(l->location);
            l->location = g_strdup(value);
        } else if (g_ascii_strcasecmp(line, "Docker-Content-Digest") == 0) {
            g_free(l->content_digest);
            l->content_digest = g_strdup(value);
        }
    }
    g_free(line);
    return n;
}

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    Lane *l = user;

    (void)data;
    if (l->step == GET)
        l->t.bytes += size * count;
    return size * count;
}

static size_t on_upload(char *buf, size_t size, size_t count, void *user)
{
    Lane *l = user;
    size_t n = (size_t)MIN((uint64_t)(size * count), l->t.blob.size - l->offset);

    rr_blob_fill(&l->t.blob, l->offset, (guint8 *)buf, n);
    l->offset += n;
    l->t.bytes = l->offset;
    return n;
}

static void fail(Lane *l, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void fail(Lane *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_vsnprintf(l->t.error, sizeof(l->t.error), fmt, ap);
    va_end(ap);
    l->t.ok = FALSE;
    l->step = IDLE;
}

/* Sets the lane's easy handle up for one request and adds it to the multi. */
static gboolean start_step(Engine *e, Lane *l, Step step, const char *url)
{
    curl_easy_reset(l->easy);
    curl_slist_free_all(l->headers);
    l->headers = curl_slist_append(NULL, "Expect:");
    l->curl_error[0] = '\0';
    l->step = step;
    curl_easy_setopt(l->easy, CURLOPT_URL, url);
    curl_easy_setopt(l->easy, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(l->easy, CURLOPT_PRIVATE, l);
    curl_easy_setopt(l->easy, CURLOPT_ERRORBUFFER, l->curl_error);
    curl_easy_setopt(l->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(l->easy, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(l->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);     /* no transfer hangs */
    curl_easy_setopt(l->easy, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(l->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(l->easy, CURLOPT_HEADERDATA, l);
    curl_easy_setopt(l->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(l->easy, CURLOPT_WRITEDATA, l);
    if (step == HEAD)
        curl_easy_setopt(l->easy, CURLOPT_NOBODY, 1L);
    if (step == POST) {
        curl_easy_setopt(l->easy, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(l->easy, CURLOPT_POSTFIELDSIZE, 0L);
    }
    if (step == PUT) {
        l->offset = 0;
        l->headers = curl_slist_append(l->headers, "Content-Type: application/octet-stream");
        curl_easy_setopt(l->easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(l->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)l->t.blob.size);
        curl_easy_setopt(l->easy, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(l->easy, CURLOPT_READDATA, l);
    }
    curl_easy_setopt(l->easy, CURLOPT_HTTPHEADER, l->headers);
    if (curl_multi_add_handle(e->multi, l->easy) != CURLM_OK) {
        fail(l, "curl cannot add a transfer");
        return FALSE;
    }
    return TRUE;
}

static char *blob_url(const Lane *l)
{
    return g_strdup_printf("http://%s/v2/" RR_HTTP_REPO "/blobs/sha256:%s", l->t.registry,
                           l->t.digest);
}

static void finish(Engine *e, Lane *l);

/* The first request of the lane's transfer, at its start time. */
static void begin(Engine *e, Lane *l)
{
    char *url;

    l->t.began_us = g_get_real_time();
    if (!rr_http_registry_ok(l->t.registry)) {
        fail(l, "registry '%s' is not host:port", l->t.registry);
        finish(e, l);
        return;
    }
    if (l->t.kind == RR_PUSH)
        rr_blob_digest(&l->t.blob, l->t.digest);
    url = blob_url(l);
    if (!start_step(e, l, l->t.kind == RR_PUSH ? HEAD : GET, url))
        finish(e, l);
    g_free(url);
}

/* The upload URL: the Location the registry gave, on the same registry. */
static char *upload_url(const Lane *l)
{
    char *base = g_strdup_printf("http://%s/", l->t.registry);
    char *url = NULL;
    const char *loc = l->location;

    if (loc && loc[0] == '/')
        url = g_strdup_printf("http://%s%s", l->t.registry, loc);
    else if (loc && g_str_has_prefix(loc, base))
        url = g_strdup(loc);
    g_free(base);
    if (url == NULL)
        return NULL;
    for (const char *p = url; *p; p++)
        if ((guchar)*p <= ' ' || *p == 0x7f) {
            g_free(url);
            return NULL;
        }
    {
        char *full = g_strdup_printf("%s%cdigest=sha256:%s", url,
                                     strchr(url, '?') ? '&' : '?', l->t.digest);

        g_free(url);
        return full;
    }
}

/* A request of the lane ended: the next step, or the transfer's end. */
static void step_done(Engine *e, Lane *l, CURLcode result)
{
    long status = 0;

    curl_easy_getinfo(l->easy, CURLINFO_RESPONSE_CODE, &status);
    l->t.status = status;
    if (result != CURLE_OK) {
        fail(l, "%s", l->curl_error[0] ? l->curl_error : curl_easy_strerror(result));
    } else if (l->step == HEAD && status == 200) {
        l->t.ok = TRUE;         /* already there */
    } else if (l->step == HEAD && status == 404) {
        char *url = g_strdup_printf("http://%s/v2/" RR_HTTP_REPO "/blobs/uploads/",
                                    l->t.registry);
        gboolean ok;

        g_clear_pointer(&l->location, g_free);
        ok = start_step(e, l, POST, url);
        g_free(url);
        if (ok)
            return;
    } else if (l->step == POST && status == 202) {
        char *url = upload_url(l);

        if (url == NULL) {
            fail(l, "the upload's Location '%s' is not on registry %s",
                 l->location ? l->location : "", l->t.registry);
        } else {
            gboolean ok;

            g_clear_pointer(&l->content_digest, g_free);
            ok = start_step(e, l, PUT, url);
            g_free(url);
            if (ok)
                return;
        }
    } else if (l->step == PUT && status == 201) {
        char *want = g_strconcat("sha256:", l->t.digest, NULL);

        if (l->content_digest && strcmp(l->content_digest, want) == 0)
            l->t.ok = TRUE;
        else
            fail(l, "the registry stored digest '%s', not %s",
                 l->content_digest ? l->content_digest : "", want);
        g_free(want);
    } else if (l->step == GET && status == 200) {
        l->t.ok = TRUE;
    } else {
        static const char *const names[] = {"", "", "HEAD", "POST", "PUT", "GET", ""};

        fail(l, "%s answered HTTP %ld", names[l->step], status);
    }
    finish(e, l);
}

/* Reports the lane's transfer and takes its next one. */
static void finish(Engine *e, Lane *l)
{
    l->t.ended_us = g_get_real_time();
    l->step = IDLE;
    e->src->done(e->src->ctx, (guint)(l - e->lanes), &l->t);
    memset(&l->t, 0, sizeof(l->t));
    if (e->src->next(e->src->ctx, (guint)(l - e->lanes), &l->t, &l->start_us))
        l->step = WAITING;
    else
        l->step = FINISHED;
}

gboolean rr_http_run(guint lanes, const RrLaneSource *src, GError **error)
{
    Engine e = {0};
    gboolean ok = TRUE;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "curl cannot start");
        return FALSE;
    }
    e.multi = curl_multi_init();
    e.lanes = g_new0(Lane, lanes);
    e.n = lanes;
    e.src = src;
    for (guint i = 0; i < lanes; i++) {
        Lane *l = &e.lanes[i];

        l->easy = curl_easy_init();
        l->step = src->next(src->ctx, i, &l->t, &l->start_us) ? WAITING : FINISHED;
    }
    for (;;) {
        int64_t now = g_get_real_time(), wait_us = POLL_MS_MAX * 1000;
        gboolean busy = FALSE;
        int running, pending;
        CURLMsg *msg;

        for (guint i = 0; i < lanes; i++) {
            Lane *l = &e.lanes[i];

            if (l->step == WAITING && l->start_us <= now)
                begin(&e, l);
            if (l->step == WAITING)
                wait_us = MIN(wait_us, l->start_us - now);
            busy |= l->step != FINISHED;
        }
        if (!busy)
            break;
        if (sk_signal_stop()) {
            ok = sk_signal_stopped(error, "registry transfers");
            break;
        }
        curl_multi_perform(e.multi, &running);
        while ((msg = curl_multi_info_read(e.multi, &pending))) {
            Lane *l = NULL;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&l);
            curl_multi_remove_handle(e.multi, msg->easy_handle);
            step_done(&e, l, msg->data.result);
            now = -1;           /* the lane may start again at once */
        }
        if (now >= 0)
            curl_multi_poll(e.multi, NULL, 0, (int)MAX(wait_us / 1000, 1), NULL);
    }
    for (guint i = 0; i < lanes; i++) {
        Lane *l = &e.lanes[i];

        curl_multi_remove_handle(e.multi, l->easy);
        curl_easy_cleanup(l->easy);
        curl_slist_free_all(l->headers);
        g_free(l->location);
        g_free(l->content_digest);
    }
    g_free(e.lanes);
    curl_multi_cleanup(e.multi);
    curl_global_cleanup();
    return ok;
}
