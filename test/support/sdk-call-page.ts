// The page of the browser SDK test: two RTCPeerConnections in one page, connected to each
// other over loopback with Chromium's fake camera and microphone, both monitored by the SDK
// bundle (sdk/dist/callmask-browser.js) on one shared session. It records every poll's cost
// and every SDK error and state for the test to read.

export const callPageHtml = `<!doctype html>
<meta charset="utf-8">
<title>callmask SDK test call</title>
<script type="module">
import { connect } from '/callmask-browser.js'

const log = { costs: [], errors: [], states: [] }
window.sdkLog = log

window.startCall = async (url, key, conferenceId) => {
  const session = connect({ url, key })
  window.sdkSession = session
  session.on('error', (e) => log.errors.push({ code: e.code, wireCode: e.wireCode ?? null }))
  session.on('state', (s) => log.states.push(s))
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } })
  const caller = new RTCPeerConnection()
  const callee = new RTCPeerConnection()
  window.call = { caller, callee, media }
  caller.onicecandidate = (e) => e.candidate && callee.addIceCandidate(e.candidate)
  callee.onicecandidate = (e) => e.candidate && caller.addIceCandidate(e.candidate)
  // Remote media is played, as a call app does: Chromium's audio jitter buffer only emits
  // samples (the counters MOS needs) when something renders them.
  for (const pc of [caller, callee]) {
    pc.ontrack = (e) => {
      const element = document.createElement(e.track.kind === 'audio' ? 'audio' : 'video')
      element.autoplay = true
      element.srcObject = e.streams[0] ?? new MediaStream([e.track])
      document.body.append(element)
      element.play().catch(() => undefined)
    }
  }
  for (const track of media.getTracks()) caller.addTrack(track, media)
  for (const [pc, who] of [[caller, 'caller'], [callee, 'callee']]) {
    const watched = session.monitor(pc, { conferenceId, participantId: 'user-' + who, peerConnectionId: 'pc-' + who, intervalMs: 1000 })
    watched.on('poll', (cost) => log.costs.push(cost))
    window.call[who + 'Monitor'] = watched
  }
  await caller.setLocalDescription(await caller.createOffer())
  await callee.setRemoteDescription(caller.localDescription)
  // The answering side sends the fake devices too (clones, on the offered transceivers):
  // both directions carry audio and video.
  const back = media.clone()
  for (const track of back.getTracks()) callee.addTrack(track, back)
  await callee.setLocalDescription(await callee.createAnswer())
  await caller.setRemoteDescription(callee.localDescription)
  await new Promise((resolve) => {
    const check = () => (caller.connectionState === 'connected' && callee.connectionState === 'connected' ? resolve() : setTimeout(check, 50))
    check()
  })
  return session.sessionId
}

window.muteMicrophone = (muted) => { for (const t of window.call.media.getAudioTracks()) t.enabled = !muted }

window.endCall = async () => {
  window.call.callerMonitor.rate(4)
  window.call.caller.close()
  window.call.callee.close()
  const result = await window.sdkSession.close(10000)
  return { ...result, lastAckedSeq: window.sdkSession.lastAckedSeq, dropped: window.sdkSession.dropped }
}
</script>
`
