/**
 * Offer and answer between two RTCPeerConnections of one page, without trickle ICE: each side's
 * description is handed over once its candidates are gathered (the namespace's addresses, no
 * STUN). Runs inside the page: specs pass its source into `page.evaluate` (the page has no
 * bundler), so it names nothing outside itself.
 */
export async function negotiateInPage(dialer: RTCPeerConnection, answerer: RTCPeerConnection): Promise<void> {
  const gathered = (pc: RTCPeerConnection) =>
    new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
  await dialer.setLocalDescription(await dialer.createOffer());
  await gathered(dialer);
  await answerer.setRemoteDescription(dialer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  await gathered(answerer);
  await dialer.setRemoteDescription(answerer.localDescription!);
}
