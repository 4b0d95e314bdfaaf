import test from 'ava';
import dgram from 'node:dgram';
import { createRtpSocket, isRtpSocket } from '../../../media/rtp/rtp-socket.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bound(): Promise<{ socket: ReturnType<typeof createRtpSocket>; port: number }> {
  const socket = createRtpSocket({ type: 'udp4' });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port };
}

test('the receiver gets each datagram first; listeners added and removed around it get theirs after, in order', async (t) => {
  const { socket, port } = await bound();
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

  socket.receive((msg, rinfo) => seen.push(`receiver ${msg.toString()} from ${rinfo.address}`));
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

test('other events still reach their listeners', async (t) => {
  const { socket } = await bound();
  socket.receive(() => {});
  const events: string[] = [];
  socket.on('error', (err) => events.push(`error ${err.message}`));
  socket.on('close', () => events.push('close'));
  socket.emit('error', new Error('boom'));
  await new Promise<void>((r) => socket.close(() => r()));
  t.deepEqual(events, ['error boom', 'close']);
});
