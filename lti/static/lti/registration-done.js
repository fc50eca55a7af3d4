// LTI Dynamic Registration 1.0 §3.6: tell the LMS the registration is done, so that it
// closes its dialog.
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
