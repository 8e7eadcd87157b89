// The talk's video: a plain box with a play button until the visitor clicks it (no
// request to YouTube before that); then the youtube-nocookie player, playing.
// Without this file the button is a link to the video on YouTube.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-video-embed]").forEach((box) => {
    const link = box.querySelector("a.video-facade");
    if (!link) return;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const url = new URL(box.dataset.videoEmbed);
      url.searchParams.set("autoplay", "1");
      const frame = document.createElement("iframe");
      frame.src = url.toString();
      frame.title = box.dataset.videoTitle;
      frame.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share";
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      frame.allowFullscreen = true;
      box.replaceChildren(frame);
      frame.focus();
    });
  });
});
