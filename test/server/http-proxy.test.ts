import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { HttpApp } from '../../src/http/http-app.ts';
import { clientAddress, parseAddressRange, parseTrustedProxies } from '../../src/http/client-address.ts';
import { registerWebApi } from '../../src/channels/web/api.ts';
import type { Engine } from '../../src/core/engine.ts';
import type { Incoming } from '../../src/domain/types.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { post } from '../helpers/server.ts';

/**
 * TRUST_PROXY: X-Forwarded-For is believed only from configured proxies, and the client is the
 * right-most address in it that is not a trusted proxy. Nobody else can choose their address.
 */

const trust = (...entries: string[]) => parseTrustedProxies(entries);

describe('clientAddress', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress('198.51.100.4', '203.0.113.9', [])).toBe('198.51.100.4');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress('198.51.100.4', '203.0.113.9', trust('10.0.0.0/8'))).toBe('198.51.100.4');
  });

  it('takes the address a trusted proxy appended', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', trust('127.0.0.1'))).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted address, so a client cannot choose its own', () => {
    expect(clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.9', trust('127.0.0.1'))).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', ['1.1.1.1', '203.0.113.9, 10.0.0.5'], trust('127.0.0.1', '10.0.0.0/8'))).toBe('203.0.113.9');
  });

  it('uses the left-most address when every hop is a trusted proxy', () => {
    expect(clientAddress('10.0.0.1', '10.0.0.3, 10.0.0.2', trust('10.0.0.0/8'))).toBe('10.0.0.3');
  });

  it('stops at an unreadable entry and keeps the last address it could read', () => {
    expect(clientAddress('10.0.0.1', 'garbage, 10.0.0.2', trust('10.0.0.0/8'))).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.1', 'unknown', trust('10.0.0.0/8'))).toBe('10.0.0.1');
  });

  it('reads IPv6, bracketed addresses with ports, IPv4 with ports and IPv4-mapped peers', () => {
    expect(clientAddress('::1', '2001:db8::5', trust('::1'))).toBe('2001:db8::5');
    expect(clientAddress('::1', '[2001:db8::5]:4711', trust('::1'))).toBe('2001:db8::5');
    expect(clientAddress('::1', '203.0.113.9:5678', trust('::1'))).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.9', trust('127.0.0.1'))).toBe('203.0.113.9');
    expect(clientAddress('::ffff:198.51.100.4', undefined, [])).toBe('198.51.100.4');
  });

  it('matches CIDR prefixes bit by bit, IPv4 and IPv6', () => {
    const v4 = trust('10.1.0.0/17');
    expect(clientAddress('10.1.127.255', '203.0.113.9', v4)).toBe('203.0.113.9');
    expect(clientAddress('10.1.128.0', '203.0.113.9', v4)).toBe('10.1.128.0');
    const v6 = trust('fd00::/8');
    expect(clientAddress('fdab::1', '203.0.113.9', v6)).toBe('203.0.113.9');
    expect(clientAddress('fe80::1', '203.0.113.9', v6)).toBe('fe80::1');
    expect(clientAddress('127.0.0.1', '203.0.113.9', trust('::1'))).toBe('127.0.0.1');
  });

  it('looks at a bounded number of hops', () => {
    const chain = Array.from({ length: 5000 }, () => '10.0.0.9').join(', ');
    expect(clientAddress('10.0.0.1', `203.0.113.9, ${chain}`, trust('10.0.0.0/8'))).toBe('10.0.0.9');
  });
});

describe('TRUST_PROXY entries', () => {
  it.each(['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '::/0', '2001:db8::/32', '::ffff:10.0.0.0/104'])(
    'accepts %s',
    (e) => {
      expect(parseAddressRange(e)).not.toBeNull();
    },
  );

  it.each(['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/', '10.0.0.0/8/8', '1.2.3', '300.1.1.1', '10.0.0.0/-1', '*'])(
    'refuses %s',
    (e) => {
      expect(parseAddressRange(e)).toBeNull();
    },
  );

  it('is validated at start-up: a wrong entry names the variable', () => {
    expect(loadConfig({ TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,::1' }).TRUST_PROXY).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
    expect(() => loadConfig({ TRUST_PROXY: '127.0.0.1,10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY/);
  });

  it('RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE defaults to 600 and is validated', () => {
    expect(loadConfig({}).RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE).toBe(600);
    expect(loadConfig({ RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE: '50' }).RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE).toBe(50);
    expect(() => loadConfig({ RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE: '0' })).toThrow(
      /RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE/,
    );
  });
});

describe('behind a proxy, on a real server', () => {
  async function echoServer(trustProxy: string[]) {
    const app = new HttpApp(silentLogger(), { trustProxy });
    app.route('GET', '/ip', (req) => ({ status: 200, body: { ip: req.ip } }));
    const port = await app.listen(0, '127.0.0.1');
    const ipFor = async (xff?: string) =>
      (await (await fetch(`http://127.0.0.1:${port}/ip`, { headers: xff ? { 'x-forwarded-for': xff } : {} })).json()).ip;
    return { ipFor, close: () => app.close(100) };
  }

  it('believes X-Forwarded-For from a trusted proxy', async () => {
    const s = await echoServer(['127.0.0.1']);
    try {
      expect(await s.ipFor('203.0.113.9')).toBe('203.0.113.9');
      expect(await s.ipFor('6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
      expect(await s.ipFor()).toBe('127.0.0.1');
    } finally {
      await s.close();
    }
  });

  it('never believes it from any other peer', async () => {
    for (const trustProxy of [[], ['10.0.0.0/8', '::1']]) {
      const s = await echoServer(trustProxy);
      try {
        expect(await s.ipFor('203.0.113.9')).toBe('127.0.0.1');
      } finally {
        await s.close();
      }
    }
  });

  it('gives each client behind the proxy its own per-address budget', async () => {
    const engine = {
      sessionKey: (i: Pick<Incoming, 'channel' | 'conversationId'>) =>
        createHash('sha256').update(`${i.channel}|${i.conversationId}`).digest('hex').slice(0, 32),
      handle: async () => ({ replies: [{ text: 'Dạ.' }], topic: 'smalltalk', household: null, confidence: 1 }),
      erase: async () => true,
    } as unknown as Engine;
    const app = new HttpApp(silentLogger(), { trustProxy: ['127.0.0.1'] });
    registerWebApi(app, { engine, ratePerMinute: 100, ratePerIpPerMinute: 2 });
    const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/api/chat`;
    try {
      const from = (ip: string, id: string) => post(url, { conversationId: id, text: 'chào' }, { 'x-forwarded-for': ip });
      expect((await from('203.0.113.1', 'a')).status).toBe(200);
      expect((await from('203.0.113.1', 'a')).status).toBe(200);
      expect((await from('203.0.113.1', 'a')).status).toBe(429);
      // A spoofed left-most entry does not give the same client a fresh budget.
      expect((await from('1.2.3.4, 203.0.113.1', 'a')).status).toBe(429);
      expect((await from('203.0.113.2', 'b')).status).toBe(200);
    } finally {
      await app.close(100);
    }
  });
});
