// Node's official flickr-sdk 7 against `flickrwire serve`. Reads the emulator's banner
// values as JSON on stdin, runs each case, prints one JSON object of outcomes on stdout.
//
// flickr-sdk hard-codes https://api.flickr.com/services/rest and signs for that URL. It
// takes a transport; this one is its own FetchTransport with the host swapped for the
// emulator's, so the signature still covers Flickr's URL (the emulator runs with
// --public-url https://api.flickr.com/services/). Writes (groups.leave) go out as
// multipart/form-data, as the SDK sends every POST.
"use strict";

const { createFlickr, FetchTransport } = require("flickr-sdk");

const FLICKR = "https://api.flickr.com/services/";

class EmulatorTransport extends FetchTransport {
  constructor(base) {
    super();
    this.base = base;
  }

  async fetch(url, init) {
    return super.fetch(String(url).replace(FLICKR, this.base), init);
  }
}

async function outcome(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (err) {
    const cause = err.cause || {};
    const code = cause.code !== undefined ? Number(cause.code) : null;
    return { ok: false, code, status: cause.status || null, message: String(err.message) };
  }
}

function oauthClient(conf, user) {
  const token = conf.tokens[user];
  const { flickr } = createFlickr(
    {
      consumerKey: conf.key,
      consumerSecret: conf.secret,
      oauthToken: token.token,
      oauthTokenSecret: token.secret,
    },
    new EmulatorTransport(conf.base_url),
  );
  return flickr;
}

async function main() {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const conf = JSON.parse(input);
  const transport = new EmulatorTransport(conf.base_url);
  const keyed = createFlickr(conf.key, transport).flickr;
  const bob = oauthClient(conf, "bob");
  const erin = oauthClient(conf, "erin");
  const out = {};
  out.echo = await outcome(keyed("flickr.test.echo", { name: "flickr-sdk & co" }));
  out.login = await outcome(bob("flickr.test.login", {}));
  out.leave_ok = await outcome(bob("flickr.groups.leave", { group_id: conf.group }));
  out.leave_again = await outcome(bob("flickr.groups.leave", { group_id: conf.group }));
  out.leave_no_group = await outcome(bob("flickr.groups.leave", { group_id: conf.no_group }));
  const badKey = createFlickr(conf.bad_key, transport).flickr;
  out.bad_key = await outcome(badKey("flickr.test.echo", { name: "x" }));
  out.read_only = await outcome(erin("flickr.groups.leave", { group_id: conf.group }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
