import { describe, expect, it } from 'vitest';
import { AuthFailure, AuthService } from '../../../../electron/sim/http/auth.ts';

function service(): { auth: AuthService; clock: { now: number } } {
  const clock = { now: 1_767_225_600 };
  return { auth: new AuthService({ rootPassword: 'pw', now: () => clock.now }), clock };
}

describe('AuthService', () => {
  it('issues tickets in the PVE format that verify until they are two hours old', () => {
    const { auth, clock } = service();
    const { ticket, CSRFPreventionToken, username } = auth.login('root@pam', 'pw');
    expect(username).toBe('root@pam');
    expect(ticket).toMatch(/^PVE:root@pam:6955B900::/);
    expect(CSRFPreventionToken).toMatch(/^6955B900:/);
    clock.now += 7199;
    expect(auth.verifyTicket(ticket)).toBe('root@pam');
    expect(auth.verifyCsrf('root@pam', CSRFPreventionToken)).toBe(true);
    clock.now += 2;
    expect(auth.verifyTicket(ticket)).toBeUndefined();
    expect(auth.verifyCsrf('root@pam', CSRFPreventionToken)).toBe(false);
  });

  it('binds the CSRF token to its user and refuses forged tickets', () => {
    const { auth } = service();
    const { ticket, CSRFPreventionToken } = auth.login('root', 'pw', 'pam');
    expect(auth.verifyCsrf('admin@pve', CSRFPreventionToken)).toBe(false);
    expect(auth.verifyTicket(ticket.replace('root@pam', 'admin@pve'))).toBeUndefined();
    expect(auth.verifyTicket('PVE:root@pam:6955B900::bm90IGEgc2lnbmF0dXJl')).toBeUndefined();
  });

  it('renews a ticket when it is given as the password', () => {
    const { auth, clock } = service();
    const first = auth.login('root@pam', 'pw');
    clock.now += 3600;
    const renewed = auth.login('root@pam', first.ticket);
    clock.now += 3601;
    expect(auth.verifyTicket(first.ticket)).toBeUndefined();
    expect(auth.verifyTicket(renewed.ticket)).toBe('root@pam');
  });

  it('fails logins like pveproxy', () => {
    const { auth } = service();
    expect(() => auth.login('root@pam', 'nope')).toThrow(new AuthFailure('authentication failure'));
    expect(() => auth.login('root', 'pw')).toThrow('authentication failure');
    expect(() => auth.login('admin@pve', 'pw')).toThrow('authentication failure');
  });

  it('checks API tokens by id and secret', () => {
    const { auth } = service();
    const token = auth.addToken('lab');
    expect(auth.verifyTokenHeader(`PVEAPIToken=${token.tokenId}=${token.secret}`)).toBe('root@pam!lab');
    expect(() => auth.verifyTokenHeader(`PVEAPIToken=root@pam!other=${token.secret}`)).toThrow(
      "no such token 'other' for user 'root@pam'",
    );
    expect(() => auth.verifyTokenHeader('PVEAPIToken=garbage')).toThrow('invalid token value!');
  });
});
