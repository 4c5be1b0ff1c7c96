vcl 4.1;

# Varnish in front of the newsroom's gunicorn (Debian's varnish 7.1 and
# varnish-modules for xkey). It keeps what the app says shared caches may keep
# (Cache-Control: public, s-maxage=...: PAGE_CACHE_S_MAXAGE), for readers
# without a session, and forgets pages by name when the app retires them
# (pagecache.purgers: PAGE_CACHE_PURGERS = "varnish://127.0.0.1:6081").
# docs/pagecache.md, "CDN and Varnish".

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Purge by name: every page whose xkey (Surrogate-Key) carries one of them.
    if (req.http.xkey-purge) {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    # Purge by address (purge://): this URL and Host, every encoding.
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors' screens, comment forms and tokens, view beacons, previews and
    # search are never shared (ADMIN_URL_PREFIX is "admin/" by default).
    if (req.url ~ "^/(admin|comments|views|preview|search)(/|$)") {
        return (pass);
    }
    # The app's rule (pagecache.store.is_cacheable_request): a session (staff),
    # a pending message or credentials make the page personal.
    if (req.http.Authorization ||
        req.http.Cookie ~ "(^|;)\s*(sessionid|messages)=") {
        return (pass);
    }
    # Any other cookie (csrftoken, a consent banner's) changes no reader page.
    unset req.http.Cookie;

    # One cached variant per encoding the app stores (Vary: Accept-Encoding).
    if (req.http.Accept-Encoding ~ "\bbr\b") {
        set req.http.Accept-Encoding = "br";
    } elsif (req.http.Accept-Encoding ~ "\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    # Varnish asks backends for gzip on its own; ask for what the reader takes.
    set req.http.X-Accept-Encoding = req.http.Accept-Encoding;
    return (hash);
}

sub vcl_backend_fetch {
    if (bereq.http.X-Accept-Encoding) {
        set bereq.http.Accept-Encoding = bereq.http.X-Accept-Encoding;
    } else {
        unset bereq.http.Accept-Encoding;
    }
    unset bereq.http.X-Accept-Encoding;
}

sub vcl_backend_response {
    # A background refresh that fails keeps the stale page (stale-if-error).
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    # The app decides: what it does not mark shared is not kept (Varnish would
    # otherwise keep it for default_ttl).
    if (!beresp.http.Cache-Control || beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # xkey reads only its own header; the app may send Surrogate-Key alone.
    if (!beresp.http.xkey && beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Varnish takes s-maxage and stale-while-revalidate (grace) itself; serve
    # a stale page for stale-if-error too, while the app is failing.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.http.X-Stale-If-Error = regsub(
            beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s");
        if (std.duration(beresp.http.X-Stale-If-Error, 0s) > beresp.grace) {
            set beresp.grace = std.duration(beresp.http.X-Stale-If-Error, 0s);
        }
        unset beresp.http.X-Stale-If-Error;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    # The names are for Varnish; readers only need them when debugging here.
    if (client.ip !~ purgers) {
        unset resp.http.xkey;
        unset resp.http.Surrogate-Key;
        unset resp.http.Cache-Tag;
    }
}
