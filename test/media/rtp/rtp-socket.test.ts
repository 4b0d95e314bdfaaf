import test from 'ava';
import dgram from 'node:dgram';
import { createRtpSocket, fastPaths, isRtpSocket } from '../../../media/rtp/rtp-socket.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bound(direct = true): Promise<{ socket: ReturnType<typeof createRtpSocket>; port: number }> {
  const socket = createRtpSocket({ type: 'udp4' }, { direct });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port };
}

for (const direct of [true, false]) {
  const how = direct ? 'through the handle' : "through dgram's public API";
  test(`the receiver gets each datagram first; listeners added and removed around it get theirs after, in order (${how})`, async (t) => {
    const { socket, port } = await bound(direct);
    const sender = dgram.createSocket('udp4');
    t.teardown(() => {
      socket.close();
      sender.close();
    });
    const seen: string[] = [];
    const send = async (text: string) => {
      sender.send(Buffer.from(text), port, '127.0.0.1');
      await sleep(30);
    };
    t.true(isRtpSocket(socket));
    t.false(isRtpSocket(sender));

    socket.receive({ onDatagram: (msg, rinfo) => seen.push(`receiver ${msg.toString()} from ${rinfo.address}`) });
    await send('1');
    const tap = (msg: Buffer) => seen.push(`tap ${msg.toString()}`);
    socket.on('message', tap);
    await send('2');
    socket.off('message', tap);
    await send('3');
    socket.receive(null);
    socket.once('message', (msg) => seen.push(`once ${msg.toString()}`));
    await send('4');
    await send('5'); // nobody hears it
    t.deepEqual(seen, ['receiver 1 from 127.0.0.1', 'receiver 2 from 127.0.0.1', 'tap 2', 'receiver 3 from 127.0.0.1', 'once 4']);
  });

  test(`other events still reach their listeners (${how})`, async (t) => {
    const { socket } = await bound(direct);
    socket.receive({ onDatagram: () => {} });
    const events: string[] = [];
    socket.on('error', (err) => events.push(`error ${err.message}`));
    socket.on('close', () => events.push('close'));
    socket.emit('error', new Error('boom'));
    await new Promise<void>((r) => socket.close(() => r()));
    t.deepEqual(events, ['error boom', 'close']);
  });

  test(`sendConnected: each datagram leaves with the bytes it had when sent, and says whether the buffer is free again (${how})`, async (t) => {
    const { socket } = await bound(direct);
    const far = dgram.createSocket('udp4');
    await new Promise<void>((r) => far.bind(0, '127.0.0.1', () => r()));
    t.teardown(() => {
      socket.close();
      far.close();
    });
    const got: string[] = [];
    far.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => socket.connect(far.address().port, '127.0.0.1', () => r()));
    const buf = Buffer.alloc(8);
    const free: boolean[] = [];
    for (const text of ['first   ', 'second  ', 'third   ']) {
      buf.write(text); // the same buffer, written again straight after each send
      free.push(socket.sendConnected(buf));
    }
    // through the handle the kernel has the bytes when the call returns; dgram's send cannot say
    t.deepEqual(free, direct ? [true, true, true] : [false, false, false]);
    await sleep(50);
    if (direct) t.deepEqual(got, ['first   ', 'second  ', 'third   ']);
    else t.is(got.length, 3);
    socket.disconnect();
    t.throws(() => socket.sendConnected(buf), { code: 'ERR_SOCKET_BAD_PORT' }, 'not connected: as send(buf) without a port');
  });
}

test('on this Node (20) RTP sockets take the direct paths', (t) => {
  // If another Node changes dgram's internals this fails, and the box goes on through the public API
  // (a few percent more CPU per call): rtp-socket.ts then needs a look.
  t.true(fastPaths(), `Node ${process.version}: dgram's handle or SendWrap are not where rtp-socket.ts looks for them`);
});
