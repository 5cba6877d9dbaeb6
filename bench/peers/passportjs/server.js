// The Passport.js peer of bench/cmd/compare: the same routes as bench/server,
// written the way the Passport.js documentation shows.
//
//   node server.js --addr 127.0.0.1:8080 --jwt-secret <hex>
'use strict';

const express = require('express');
const session = require('express-session');
const passport = require('passport');
const LocalStrategy = require('passport-local').Strategy;
const { Strategy: JwtStrategy, ExtractJwt } = require('passport-jwt');
const crypto = require('crypto');

function flag(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const addr = flag('addr', '127.0.0.1:8080');
const secret = Buffer.from(flag('jwt-secret', ''), 'hex');
if (secret.length < 32) {
  console.error('passportjs peer: --jwt-secret must be at least 32 bytes in hex');
  process.exit(2);
}

const users = new Map([['42', { id: '42', name: 'Ada', username: 'alice' }]]);
const byName = new Map([['alice', users.get('42')]]);
const wantPassword = Buffer.from('secret');

passport.use(new LocalStrategy((username, password, done) => {
  const u = byName.get(username);
  const got = Buffer.from(password);
  if (!u || got.length !== wantPassword.length || !crypto.timingSafeEqual(got, wantPassword)) {
    return done(null, false);
  }
  return done(null, u);
}));
passport.use(new JwtStrategy({
  jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
  secretOrKey: secret,
  algorithms: ['HS256'],
  issuer: 'https://issuer.bench',
  audience: 'api',
}, (payload, done) => done(null, users.get(payload.sub) || false)));
passport.serializeUser((u, done) => done(null, u.id));
passport.deserializeUser((id, done) => done(null, users.get(id) || false));

const app = express();
app.disable('x-powered-by');
app.use(session({
  secret: crypto.randomBytes(32).toString('hex'),
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'lax' },
}));
app.use(passport.session());

app.get('/plain', (req, res) => res.type('text/plain').send('ok'));
app.get('/me', (req, res) => {
  if (!req.user) return res.status(401).json({ error: 'unauthorized' });
  res.json({ id: req.user.id, name: req.user.name });
});
app.get('/api/me', passport.authenticate('jwt', { session: false }), (req, res) => {
  res.json({ id: req.user.id, name: req.user.name });
});
app.post('/login', express.urlencoded({ extended: false }),
  passport.authenticate('local', { successRedirect: '/', failureRedirect: '/login' }));

const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
const server = app.listen(port, host, () => console.log('passportjs peer: listening on ' + addr));
server.keepAliveTimeout = 60000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
