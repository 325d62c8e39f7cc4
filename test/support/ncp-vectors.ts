/**
 * NCP signature test vectors, copied unchanged from the machine-readable block of
 * docs/providers/ncp.md §2 ("computed by running the official SDKs' own code"; each vector
 * names the SDK files that produced it). test/unit/ncp-signer.test.ts checks this copy against
 * ncp.md whenever that file is there. Never recompute these with the product's signer.
 */
export const NCP_MD_VECTORS = {
  algorithm:
    "signature = base64(HMAC-SHA256(key=utf8(secretKey), msg=utf8(method + ' ' + signedUri + '\\n' + timestamp + '\\n' + accessKey)))",
  headers: {
    "x-ncp-apigw-timestamp": "1700000000000",
    "x-ncp-iam-access-key": "ncp_iam_TESTACCESSKEY00",
    "x-ncp-apigw-signature-v2": "<signature>",
  },
  accessKey: "ncp_iam_TESTACCESSKEY00",
  secretKey: "ncp_iam_TESTSECRETKEY0000000000000000000",
  timestamp: "1700000000000",
  anchor: {
    source: "NaverCloudPlatform/ncp-iam-authenticator pkg/token/token_test.go (Test_makeSignature)",
    method: "GET",
    signedUri: "/cluster/kubeconfig",
    timestamp: "1668407407855",
    accessKey: "access",
    secretKey: "secret",
    signature: "LTJli9+OKT2KvUXxiKslMfu5FIOmDN83avehOvgUFp0=",
  },
  vectors: [
    {
      id: "get-no-query",
      kind: "sdk-output",
      method: "GET",
      signedUri: "/vserver/v2/getRegionList",
      stringToSign: "GET /vserver/v2/getRegionList\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "erb0Ps8006vDBy0lPm4YOXV6YeFArEkIf8VNlDzVrRQ=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api)",
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1)",
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest)",
      ],
      note: "Simple GET, no query string: signed URI is the path only (no '?').",
      wireRequestTarget: "/vserver/v2/getRegionList",
    },
    {
      id: "get-json-only",
      kind: "sdk-output",
      method: "GET",
      signedUri: "/vserver/v2/getRegionList?responseFormatType=json",
      stringToSign: "GET /vserver/v2/getRegionList?responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "GGkI6EFFYrylHZmvxvkr/apbdUevg/6rPkTiJEpPCw0=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api)",
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1)",
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest)",
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1)",
      ],
      note: "All four SDKs agree when every query character is unreserved.",
      wireRequestTarget: "/vserver/v2/getRegionList?responseFormatType=json",
    },
    {
      id: "get-image-list",
      kind: "sdk-output",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "ANrseYIia1VC7XhswxkW8WtzjYMm/3cbd2BIZHkcLpQ=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api)",
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1)",
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest)",
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1)",
      ],
      note: "List params as name.N (1-based). Query signed in the exact order it is sent; no sorting.",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10&responseFormatType=json",
    },
    {
      id: "get-image-list-sorted-order",
      kind: "order-sensitivity",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?pageNo=1&pageSize=10&regionCode=KR&responseFormatType=json&serverImageNoList.1=23214590&serverImageNoList.2=23214591",
      stringToSign:
        "GET /vserver/v2/getServerImageList?pageNo=1&pageSize=10&regionCode=KR&responseFormatType=json&serverImageNoList.1=23214590&serverImageNoList.2=23214591\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "RP6G2o7DiLi/4kygeTIIqP7K1FrCf6r5lZF3XPx1SNU=",
      producedBy: ["NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest)"],
      note: "Same params as get-image-list but key-sorted (Go url.Values.Encode order). Different signature: order is part of the signed string, so sign what you send.",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?pageNo=1&pageSize=10&regionCode=KR&responseFormatType=json&serverImageNoList.1=23214590&serverImageNoList.2=23214591",
    },
    {
      id: "get-special-chars-raw",
      kind: "encoding-variant",
      method: "GET",
      signedUri: "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my image 이미지+1*~&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageName=my image 이미지+1*~&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "hfnyBsZ+s85Xy/L9q/k94kaj/+TcLNwFHWOmgNJxagE=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api)",
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1)",
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest)",
      ],
      note: "Value 'my image 이미지+1*~' signed UNENCODED (what ncloud-sdk-python make_signature and ncloud-sdk-js signature.js do). Tests UTF-8 encoding of the string-to-sign. NOTE: the JS SDK then sends it percent-encoded, so signed != wire.",
    },
    {
      id: "get-special-chars-java-form",
      kind: "encoding-variant",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*%7E&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*%7E&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "n2QzZD4xTGosYFysgLNsWmLRFbdArPHgxCctp0kHxVo=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1)",
      ],
      note: "Same value, encoded by the Java SDK (java.net.URLEncoder: space->'+', '+'->%2B, '*' kept, '~'->%7E; byte-identical to WHATWG URLSearchParams.toString()). Java signs exactly the wire query.",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*%7E&responseFormatType=json",
    },
    {
      id: "get-special-chars-encodeURIComponent",
      kind: "encoding-variant",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*~&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*~&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "RV5T7Z3H//TFKVDmS9rRzp/HQtDOWHBI8tHFyoCITJs=",
      producedBy: ["independent reference (python hmac/hashlib) only"],
      note: "Same value encoded with JS encodeURIComponent (space->%20, '*' and '~' kept). Reference-only: no official SDK emits this exact form.",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*~&responseFormatType=json",
    },
    {
      id: "get-special-chars-rfc3986-strict",
      kind: "encoding-variant",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "u0vN4idGNTpoX3AOJGV1mNLj39T301JBj7J7fl3lB3U=",
      producedBy: ["independent reference (python hmac/hashlib) only"],
      note: "Same value encoded RFC3986-strict (also '*'->%2A), which is what qs (superagent's query encoder) and Python urllib.parse.quote emit on the wire. Reference-only.",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~&responseFormatType=json",
    },
    {
      id: "get-special-chars-go-values",
      kind: "encoding-variant",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&responseFormatType=json&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&responseFormatType=json&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "I59xm3+TSpNC86rQ1M9/EhAUxtAWDFwKVAzR7kNl1Zs=",
      producedBy: ["NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest)"],
      note: "Go url.Values.Encode(): keys sorted, url.QueryEscape (space->'+', '*'->%2A, '~' kept).",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&responseFormatType=json&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~",
    },
    {
      id: "js-sdk-get-e2e",
      kind: "sdk-behaviour",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageNoList.1=23214590&serverImageNoList.2=23214591&serverImageName=my image 이미지+1*~&pageNo=1&pageSize=10&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageNoList.1=23214590&serverImageNoList.2=23214591&serverImageName=my image 이미지+1*~&pageNo=1&pageSize=10&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "1gJZxSLqNvgRbxe0Rdl6LihdZJ570RHUyqYLA8v2dW8=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1) [end-to-end via ApiClient.callApi('GET'), Date.now pinned]",
      ],
      note: "What the JS SDK actually does on GET: signs decoded values but sends them qs-encoded (wireRequestTarget). Header name used by the SDK: x-ncp-apigw-signature-v1.",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageNoList.1=23214590&serverImageNoList.2=23214591&serverImageName=my%20image%20%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~&pageNo=1&pageSize=10&responseFormatType=json",
    },
    {
      id: "java-sdk-get-image-list-e2e",
      kind: "sdk-behaviour",
      method: "GET",
      signedUri:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*%7E&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10&responseFormatType=json",
      stringToSign:
        "GET /vserver/v2/getServerImageList?regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*%7E&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "yWFMvGq9ISewZuRDqviNF05/hQMuWxWauO1ullwjIAM=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1) [V2Api.getServerImageListGet request; makeSignature(1700000000000L)]",
      ],
      note: "Java SDK GET: wire query == signed query (URLEncoder form encoding, model field order).",
      wireRequestTarget:
        "/vserver/v2/getServerImageList?regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1*%7E&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10&responseFormatType=json",
    },
    {
      id: "java-sdk-empty-get-quirk",
      kind: "sdk-behaviour",
      method: "GET",
      signedUri: "/vserver/v2/getRegionList?",
      stringToSign: "GET /vserver/v2/getRegionList?\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "Rjb9yLNH6p/ZJIJhNrQzLUY7nsI7F9FfJeDAxNZcdPg=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1)",
      ],
      note: "Java SDK quirk: GET with an empty request object sends and signs a trailing '?' (URL '/vserver/v2/getRegionList?').",
      wireRequestTarget: "/vserver/v2/getRegionList?",
    },
    {
      id: "java-sdk-get-create-image",
      kind: "sdk-behaviour",
      method: "GET",
      signedUri:
        "/vserver/v2/createServerImage?regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly+backup+%EB%B0%B1%EC%97%85&responseFormatType=json&blockStorageList.1.order=0",
      stringToSign:
        "GET /vserver/v2/createServerImage?regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly+backup+%EB%B0%B1%EC%97%85&responseFormatType=json&blockStorageList.1.order=0\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "qhfkCusmdESYX2X1GAMKzEtxt9UrxPt2BWPd/c4+S/U=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1)",
      ],
      note: "createServerImage issued as GET by the Java SDK (docs allow GET|POST). blockStorageList.N.order nested list param.",
      wireRequestTarget:
        "/vserver/v2/createServerImage?regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly+backup+%EB%B0%B1%EC%97%85&responseFormatType=json&blockStorageList.1.order=0",
    },
    {
      id: "post-create-image-go-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/createServerImage",
      stringToSign: "POST /vserver/v2/createServerImage\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "5ULSdTquYwxOiTp2mFjWVrl/A+QCoO8jNqVr/qZb9XA=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest) [end-to-end V2Api.CreateServerImage, signature recomputed at fixed TS with hmac.Sign]",
        "NaverCloudPlatform/ncloud-sdk-java core/src/main/java/com/ncloud/auth/IamCredentials.java (makeSignature) + core/.../ApiClient.java + marshaller/FormMarshaller.java (run with okhttp 4.12.0, SDK pins 3.9.1) [createServerImagePost]",
      ],
      note: "POST with application/x-www-form-urlencoded body: only METHOD + path is signed, the body is NOT part of the signature (Go SDK / terraform provider; Java SDK POST too).",
      wireRequestTarget: "/vserver/v2/createServerImage",
      body: "responseFormatType=json&regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly+backup+%EB%B0%B1%EC%97%85&blockStorageList.1.order=0",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "post-image-list-go-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/getServerImageList",
      stringToSign: "POST /vserver/v2/getServerImageList\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "V8z6dIXeOQDYX3jp68zMf6lV9Ml+Tz5SLF2z5x2F9Qw=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest) [end-to-end V2Api.GetServerImageList]",
      ],
      note: "Go SDK sends every list/describe call as POST form body; Korean/space/+ only appear in the (unsigned) body.",
      wireRequestTarget: "/vserver/v2/getServerImageList",
      body: "responseFormatType=json&regionCode=KR&serverImageName=my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~&serverImageNoList.1=23214590&serverImageNoList.2=23214591&pageNo=1&pageSize=10",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "post-server-instance-detail-go-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/getServerInstanceDetail",
      stringToSign: "POST /vserver/v2/getServerInstanceDetail\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "xUxAnjvsqLy7SzNn6e2GYwiEEdPQ7+J4iy3dvb9RJLU=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest) [end-to-end V2Api.GetServerInstanceDetail]",
      ],
      note: "Source-server validation call as issued by the Go SDK.",
      wireRequestTarget: "/vserver/v2/getServerInstanceDetail",
      body: "responseFormatType=json&regionCode=KR&serverInstanceNo=12345678",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "post-create-member-image-python-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/createMemberServerImageInstance?responseFormatType=json",
      stringToSign: "POST /vserver/v2/createMemberServerImageInstance?responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "KJFHqD0b8ywln1ikBKSWoT7KkDaf23rwpBxt+0Z/cQ8=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api) [end-to-end V2Api.create_member_server_image_instance, time.time pinned]",
      ],
      note: "Python SDK POST: responseFormatType=json goes in the URL query (and is signed); other params go in a urllib quote()-encoded form body (unsigned).",
      wireRequestTarget: "/vserver/v2/createMemberServerImageInstance?responseFormatType=json",
      body: "regionCode=KR&memberServerImageName=my-image-01&memberServerImageDescription=nightly%20backup%20%EB%B0%B1%EC%97%85&serverInstanceNo=12345678",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "post-image-product-list-python-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/getServerImageProductList?responseFormatType=json",
      stringToSign: "POST /vserver/v2/getServerImageProductList?responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "47ManmhDZ7xam0CfcGJ3BXTvA6rOMayzvfG5J+flf+k=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api)",
      ],
      note: "Legacy product-code list call (Python SDK).",
      wireRequestTarget: "/vserver/v2/getServerImageProductList?responseFormatType=json",
      body: "regionCode=KR&platformTypeCodeList.1=LNX64&platformTypeCodeList.2=WND64",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "post-create-member-image-js-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/createMemberServerImageInstance",
      stringToSign: "POST /vserver/v2/createMemberServerImageInstance\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "LpZz9xGjy/WLaDvtzuqBSb/W30I4YqnSqV/nBQA8YkE=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1) [end-to-end V2Api.createMemberServerImageInstance, Date.now pinned]",
      ],
      note: "JS SDK POST: all params incl. responseFormatType=json in the form body (querystring.stringify), path-only signature.",
      wireRequestTarget: "/vserver/v2/createMemberServerImageInstance",
      body: "regionCode=KR&serverInstanceNo=12345678&memberServerImageName=my-image-01&memberServerImageDescription=nightly%20backup%20%EB%B0%B1%EC%97%85&responseFormatType=json",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "post-member-image-list-js-sdk",
      kind: "sdk-output",
      method: "POST",
      signedUri: "/vserver/v2/getMemberServerImageInstanceList",
      stringToSign: "POST /vserver/v2/getMemberServerImageInstanceList\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "SB1yUwciKYRS7SQdCsCSiFwtlBuAKooeTLjGm3MrE1A=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1)",
      ],
      note: "List param memberServerImageInstanceNoList.N in the form body.",
      wireRequestTarget: "/vserver/v2/getMemberServerImageInstanceList",
      body: "regionCode=KR&memberServerImageInstanceNoList.1=111&memberServerImageInstanceNoList.2=222&responseFormatType=json",
      contentType: "application/x-www-form-urlencoded",
    },
    {
      id: "primitive-post-raw-unicode",
      kind: "primitive",
      method: "POST",
      signedUri:
        "/vserver/v2/createServerImage?regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly backup 백업&blockStorageList.1.order=0&responseFormatType=json",
      stringToSign:
        "POST /vserver/v2/createServerImage?regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly backup 백업&blockStorageList.1.order=0&responseFormatType=json\n1700000000000\nncp_iam_TESTACCESSKEY00",
      signature: "GRFaCsYgdTJTUpcwFBDfAiVeiL90xhFNQNWu36fighc=",
      producedBy: [
        "NaverCloudPlatform/ncloud-sdk-python lib/services/vserver/ncloud_vserver/api_client.py (ApiClient.make_signature / __call_api) [make_signature called directly]",
        "NaverCloudPlatform/ncloud-sdk-js lib/services/vserver/src/signature.js + src/ApiClient.js (superagent@3.5.2, crypto-js@3.1.9-1) [signature() called directly]",
        "NaverCloudPlatform/ncloud-sdk-go-v2 hmac/hmac.go (HMACSigner.Sign) + services/vserver/api_client.go (prepareRequest) [Sign() on raw URL]",
      ],
      note: "Unit vector for the signing primitive only (raw, unencoded Korean/space inside the signed URI). Not a wire-consistent request.",
    },
  ],
} as const;

export type NcpMdVector = (typeof NCP_MD_VECTORS)["vectors"][number];

/** A vector of ncp.md by its id. */
export function ncpVector<I extends NcpMdVector["id"]>(id: I): Extract<NcpMdVector, { id: I }> {
  const v = NCP_MD_VECTORS.vectors.find((x) => x.id === id);
  if (!v) throw new Error(`no ncp.md vector ${id}`);
  return v as Extract<NcpMdVector, { id: I }>;
}

/**
 * POST signatures for the three actions ncp.md has no vector for, with its keys and timestamp.
 * Computed with the official Python SDK's own signing function, NaverCloudPlatform/ncloud-sdk-python
 * @ c34fcd9 lib/services/vserver/ncloud_vserver/api_client.py ApiClient.make_signature("POST",
 * "/<action>", [], "1700000000000") (host https://ncloud.apigw.ntruss.com/vserver/v2, no query: the
 * Go SDK's form). The same call reproduces ncp.md's five POST vectors (getServerImageList,
 * createServerImage, getServerInstanceDetail, createMemberServerImageInstance,
 * getMemberServerImageInstanceList) byte for byte.
 */
export const PYTHON_SDK_POST_SIGNATURES = {
  getServerImageDetail: "/KbBZwBwrBcQiEzsd5BqSwS11EnidgBWJURac4+6kbI=",
  getMemberServerImageInstanceDetail: "JNfANALPI7ZrPZt+VFLvhKQs1jDWRajuPtzw9XMQbaA=",
  getServerInstanceList: "XuaEwLRO0ncbDtksEMixS8o0W5IuAdYA8e5RWHDdYes=",
} as const;
