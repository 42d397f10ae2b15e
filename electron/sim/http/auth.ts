/**
 * Authentication as pveproxy does it: signed tickets (`PVE:root@pam:<hex time>::<sig>`) valid
 * for two hours, CSRF prevention tokens bound to the user and time, and API tokens
 * (`PVEAPIToken=root@pam!lab=<uuid>`). One AuthService per datacenter plays the cluster's authkey.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export interface AuthServiceOptions {
  rootPassword: string;
  /**
   * Which authkey signs tickets on a node: its own while standalone, the cluster's once it is a
   * member (a join replaces the joining node's key, so its old tickets stop working). Default: one
   * key for every node.
   */
  keyDomainOf?: (node: string) => string;
  /** Wall-clock seconds (tickets carry epoch time on real nodes). */
  now?: () => number;
  ticketLifetimeSec?: number;
}

export interface ApiTokenInfo {
  /** `root@pam!lab` */
  tokenId: string;
  secret: string;
}

export class AuthFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthFailure';
  }
}

const TICKET_CLOCK_SKEW_SEC = 300;

export class AuthService {
  private readonly keys = new Map<string, Buffer>();
  private readonly keyDomainOf: (node: string) => string;
  private readonly tokens = new Map<string, string>();
  private readonly now: () => number;
  private readonly lifetime: number;
  private rootPassword: string;

  constructor(options: AuthServiceOptions) {
    this.rootPassword = options.rootPassword;
    this.keyDomainOf = options.keyDomainOf ?? (() => 'all');
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.lifetime = options.ticketLifetimeSec ?? 7200;
  }

  get password(): string {
    return this.rootPassword;
  }

  checkPassword(password: string): boolean {
    return safeEqual(password, this.rootPassword);
  }

  /** `POST /access/ticket`: a password or a still-valid ticket of the same user. */
  login(
    username: string,
    password: string,
    realm?: string,
    node = '',
  ): { username: string; ticket: string; CSRFPreventionToken: string } {
    const user = realm && !username.includes('@') ? `${username}@${realm}` : username;
    const viaTicket = password.startsWith('PVE:') && this.verifyTicket(password, node) === user;
    if (!(viaTicket || this.checkUserPassword(user, password))) {
      throw new AuthFailure('authentication failure');
    }
    return {
      username: user,
      ticket: this.issueTicket(user, node),
      CSRFPreventionToken: this.csrfToken(user, node),
    };
  }

  /** Password check for any user (root@pam here; the access model plugs in others). */
  checkUserPassword(user: string, password: string): boolean {
    if (this.passwordOf) return this.passwordOf(user, password);
    return user === 'root@pam' && this.checkPassword(password);
  }

  /** Set by the datacenter: the secret of a token of the access model (undefined: none, or unusable). */
  tokenSecretOf?: (tokenId: string) => string | undefined;

  /** Set by the datacenter: checks users of the access model (root@pam, PVE realm users). */
  passwordOf?: (user: string, password: string) => boolean;

  issueTicket(user: string, node = ''): string {
    const plain = `PVE:${user}:${hexTime(this.now())}`;
    return `${plain}::${this.sign(plain, node)}`;
  }

  /** Returns the ticket's user, or undefined when forged, malformed, signed by another key or expired. */
  verifyTicket(ticket: string, node = ''): string | undefined {
    const match = /^(PVE:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!match) return undefined;
    const [, plain, user, time, signature] = match;
    if (!safeEqual(signature!, this.sign(plain!, node))) return undefined;
    const age = this.now() - parseInt(time!, 16);
    if (age < -TICKET_CLOCK_SKEW_SEC || age > this.lifetime) return undefined;
    return user;
  }

  csrfToken(user: string, node = ''): string {
    const time = hexTime(this.now());
    return `${time}:${this.sign(`${time}:${user}`, node)}`;
  }

  verifyCsrf(user: string, token: string | undefined, node = ''): boolean {
    if (!token) return false;
    const match = /^([0-9A-F]{8}):(.+)$/.exec(token);
    if (!match) return false;
    const age = this.now() - parseInt(match[1]!, 16);
    if (age < -TICKET_CLOCK_SKEW_SEC || age > this.lifetime) return false;
    return safeEqual(match[2]!, this.sign(`${match[1]}:${user}`, node));
  }

  /** Creates an API token for root@pam; `id` as in `pveum user token add root@pam <id>`. */
  addToken(id: string): ApiTokenInfo {
    const tokenId = `root@pam!${id}`;
    const secret = randomUUID();
    this.tokens.set(tokenId, secret);
    return { tokenId, secret };
  }

  /** Parses an `Authorization: PVEAPIToken=USER@REALM!ID=SECRET` header; returns the token id. */
  verifyTokenHeader(header: string): string {
    return this.verifyToken(header.trim().replace(/^PVEAPIToken[= ]/, ''));
  }

  /** Checks `USER@REALM!ID=SECRET` (the header's value); returns the token id. */
  verifyToken(value: string): string {
    const match = /^([^!=\s]+@[^!=\s]+)!([^=\s]+)[=:](\S+)$/.exec(value.trim());
    if (!match) throw new AuthFailure('invalid token value!');
    const tokenId = `${match[1]}!${match[2]}`;
    const secret = this.tokens.get(tokenId) ?? this.tokenSecretOf?.(tokenId);
    if (secret === undefined) throw new AuthFailure(`no such token '${match[2]}' for user '${match[1]}'`);
    if (!safeEqual(match[3]!, secret)) throw new AuthFailure('invalid token value!');
    return tokenId;
  }

  private sign(text: string, node: string): string {
    const domain = this.keyDomainOf(node);
    let key = this.keys.get(domain);
    if (!key) {
      key = randomBytes(32);
      this.keys.set(domain, key);
    }
    return createHmac('sha256', key).update(text).digest('base64');
  }
}

function hexTime(seconds: number): string {
  return Math.floor(seconds).toString(16).toUpperCase().padStart(8, '0');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
