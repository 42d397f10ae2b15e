/** `GET /nodes`, `GET /nodes/{node}/status`, `POST /nodes/{node}/status` (reboot/shutdown). */
import type { SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { nodeResource, onlineFrom } from './cluster.ts';
import { knownNodes, MIB, req, route, targetNode } from './support.ts';

export function nodeRoutes(world: World): SimRoute[] {
  const core = world.core;
  return [
    route('GET', '/nodes', (ctx) =>
      knownNodes(world, ctx.node).map((name) => ({
        ...nodeResource(core, ctx.node, name),
        ssl_fingerprint: core.state.nodes[name]!.fingerprint,
      })),
    ),
    route('GET', '/nodes/{node}', (ctx) => {
      targetNode(world, ctx);
      return [
        'apt',
        'capabilities',
        'certificates',
        'disks',
        'lxc',
        'network',
        'qemu',
        'status',
        'storage',
        'tasks',
        'version',
      ].map((subdir) => ({ subdir }));
    }),
    route('GET', '/nodes/{node}/status', (ctx) => {
      const node = targetNode(world, ctx);
      const n = core.state.nodes[node]!;
      if (!onlineFrom(core, ctx.node, node)) throw new Error(`No route to host`);
      const running = Object.values(core.state.guests).filter((g) => g.node === node && g.running);
      const total = 8 * 1024 * MIB;
      const used = 1800 * MIB + running.reduce((s, g) => s + Number(g.config.memory ?? 512) * MIB, 0);
      const major = world.pveMajor;
      const kernel = major >= 9 ? '6.17.2-1-pve' : '6.8.12-9-pve';
      return {
        cpu: 0.02 + running.length * 0.01,
        wait: 0,
        cpuinfo: {
          cores: 4,
          cpus: 4,
          sockets: 1,
          model: 'QEMU Virtual CPU (simulated)',
          mhz: '2400.000',
          hvm: '1',
          flags: '',
        },
        memory: { total, used, free: total - used, available: total - used },
        swap: { total: 8 * 1024 * MIB, used: 0, free: 8 * 1024 * MIB },
        rootfs: {
          total: 30 * 1024 * MIB,
          used: 4 * 1024 * MIB,
          free: 26 * 1024 * MIB,
          avail: 24 * 1024 * MIB,
        },
        loadavg: ['0.08', '0.05', '0.01'],
        uptime: Math.floor((core.now() - n.upSince) / 1000),
        idle: 0,
        ksm: { shared: 0 },
        pveversion: `pve-manager/${world.version().version}/${world.version().repoid}`,
        kversion: `Linux ${kernel} #1 SMP PREEMPT_DYNAMIC PMX ${kernel}`,
        'current-kernel': {
          sysname: 'Linux',
          release: kernel,
          version: `#1 SMP PREEMPT_DYNAMIC PMX ${kernel}`,
          machine: 'x86_64',
        },
        'boot-info': { mode: 'efi', secureboot: 0 },
      };
    }),
    route('POST', '/nodes/{node}/status', (ctx) => {
      const node = targetNode(world, ctx);
      const command = req(ctx, 'command');
      if (command === 'reboot') world.reboot(node);
      else if (command === 'shutdown') world.shutdown(node);
      else throw new Error(`unknown command '${command}'`);
      return null;
    }),
  ];
}
