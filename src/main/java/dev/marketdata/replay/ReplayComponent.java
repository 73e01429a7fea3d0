package dev.marketdata.replay;

import java.util.Map;

import dev.marketdata.feed.VenueFeed;
import dev.marketdata.feed.VenueMapper;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code replay:<file>?speed=1&loop=false}: a recording played back as a venue, frame by frame, at the
 * recorded pace ({@code speed} times faster; 0 for as fast as the pipeline takes them). The route sends the
 * frames where a live venue's go, so everything after (mapping, validation, Redis, REST) is the same.
 */
public class ReplayComponent extends DefaultComponent {

    private final VenueFeed feed;
    private final VenueMapper mapper;

    /** @param mapper the recorded venue's mapper: the frames are mapped as a live connection's would be */
    public ReplayComponent(VenueFeed feed, VenueMapper mapper) {
        this.feed = feed;
        this.mapper = mapper;
    }

    VenueMapper mapper() {
        return mapper;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ReplayEndpoint endpoint = new ReplayEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    VenueFeed feed() {
        return feed;
    }
}
