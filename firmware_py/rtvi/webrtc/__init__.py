"""SmallWebRTC: RTVI over a WebRTC peer connection (aiortc), signalled over HTTP on the daemon's port."""
